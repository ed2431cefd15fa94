"""Removing what a live run made on a Docker-compatible engine: by record, then by label."""

from __future__ import annotations

import time
from typing import Any

LABEL = "io.gpulint.run"


def short(error: BaseException) -> str:
    explanation = getattr(error, "explanation", None)
    text = str(explanation or error).strip()
    return text.splitlines()[0][:400] if text else type(error).__name__


def remove_run(client: Any, run_id: str, container_ids: list[str], images: list[str], layers: list[str],
               errors: list[str]) -> tuple[int, int]:
    """Remove a run's containers and images: those recorded, then whatever still carries its label."""
    import docker

    label = {"label": f"{LABEL}={run_id}"}
    removed_containers = 0
    try:
        ids = set(container_ids) | {c.id for c in client.containers.list(all=True, filters=label)}
    except docker.errors.DockerException as error:
        ids = set(container_ids)
        errors.append(short(error))
    for cid in ids:
        try:
            client.api.remove_container(cid, force=True, v=True)
            removed_containers += 1
        except docker.errors.NotFound:
            pass
        except docker.errors.DockerException as error:
            errors.append(f"container {cid[:12]}: {short(error)}")
    removed_images = 0
    try:
        images = list(images) + [i.id for i in client.images.list(all=True, filters=label)]
    except docker.errors.DockerException as error:
        errors.append(short(error))
    seen: set[str] = set()
    for ref in images:
        if ref in seen:
            continue
        seen.add(ref)
        try:
            client.api.remove_image(ref, force=True)
            removed_images += 1
        except docker.errors.NotFound:
            pass
        except docker.errors.DockerException as error:
            errors.append(f"image {ref}: {short(error)}")
    removed_containers, removed_images = _remove_layers(client, layers, removed_containers, removed_images)
    return removed_containers, removed_images


def _remove_layers(client: Any, layers: list[str], containers: int, images: int) -> tuple[int, int]:
    """The classic builder's layers (earlier stages, or a build cut short): only untagged ones, never a
    base image or a tag; first the build's own intermediate containers still standing on them."""
    import docker

    pending = list(reversed(layers))
    deadline = time.monotonic() + (15 if pending else 0)
    while pending:
        for layer in pending:
            try:
                for container in client.containers.list(all=True, filters={"ancestor": layer}):
                    client.api.remove_container(container.id, force=True, v=True)
                    containers += 1
            except docker.errors.DockerException:
                pass  # the engine is removing it already
        left = []
        for layer in pending:
            try:
                if client.api.inspect_image(layer).get("RepoTags"):
                    continue
                client.api.remove_image(layer, force=False)
                images += 1
            except docker.errors.NotFound:
                pass
            except docker.errors.DockerException:
                left.append(layer)  # in use: by a container being removed, or by another image
        if not left or len(left) == len(pending) and time.monotonic() > deadline:
            break
        if len(left) == len(pending):
            time.sleep(0.5)
        pending = left
    return containers, images


def hang_up(api: Any, response: Any) -> None:
    """Shut a streaming connection down (a blocked read in another thread wakes up; the engine cancels)."""
    import socket

    try:
        sock = api._get_raw_response_socket(response)
        sock = getattr(sock, "_sock", sock)
        sock.shutdown(socket.SHUT_RDWR)
    except (OSError, AttributeError, ValueError):  # already closed, or not a socket we can reach
        pass
    try:
        response.close()
    except OSError:
        pass
