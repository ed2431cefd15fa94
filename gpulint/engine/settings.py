"""`gpulint config [PATH]`: the settings that apply to a path, and where each one comes from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gpulint.core.errors import UsageError
from gpulint.rules.selectors import selector_problem
from gpulint.engine.workspace import PER_RUN, Configs, base_of, display

CHECK_DEFAULT_PROFILE = "production"


def _values(config: Any) -> dict[str, Any]:
    limits = config.limits
    return {
        "select": list(config.select),
        "ignore": list(config.ignore),
        "severity": {ref: level.value for ref, level in config.severity.items()},
        "fail-on": config.fail_on.value if config.fail_on is not None else "none",
        "exclude": list(config.exclude),
        "test-data": list(config.test_data),
        "require": list(config.require),
        "gpu-runner-labels": list(config.gpu_runner_labels),
        "profile": config.profile or CHECK_DEFAULT_PROFILE,
        "timeout": limits.timeout,
        "limits": {"max-file-size": limits.max_file_size, "max-depth": limits.max_depth,
                   "max-alias-expansion": limits.max_alias_expansion, "max-documents": limits.max_documents},
    }


def describe(path: Path, *, explicit_config: Path | None = None, isolated: bool = False,
             cwd: Path | None = None) -> dict[str, Any]:
    """The resolved settings for ``path`` (a file or a folder) as ``gpulint check`` would use them."""
    cwd = (cwd or Path.cwd()).resolve()
    if not path.exists():
        raise UsageError(f"no such file or directory: {path}")
    absolute = (path if path.is_absolute() else cwd / path).resolve()
    base, repository = base_of([absolute], cwd)
    configs = Configs(base, repository, explicit=explicit_config, isolated=isolated,
                      check_selector=selector_problem, cwd=cwd)
    entry = configs.for_dir(absolute if absolute.is_dir() else absolute.parent)
    configs.raise_problems()
    config = entry.config
    shown = display(entry.path, base) if entry.path is not None else None
    settings: dict[str, Any] = {}
    for name, value in _values(config).items():
        keys = [name] + (["limits"] if name == "timeout" else [])
        origin = next((config.origins[k] for k in keys if k in config.origins), None)
        if name == "timeout" and value is None:
            origin = None
        setting: dict[str, Any] = {"value": value, "scope": "run" if name in PER_RUN else "file"}
        if origin is not None:
            line = origin.source.resolve(origin.start, origin.end)[1].line
            setting.update(source="file", file=shown, line=line)
        else:
            setting["source"] = "default"
        settings[name] = setting
    if explicit_config is not None:
        how = "--config"
    elif isolated:
        how = "--isolated: no configuration file is read"
    elif entry.path is None:
        how = "none found" + (" up to the repository root" if repository else " up to the filesystem root")
    else:
        how = "the nearest above the path"
    return {
        "path": display(absolute, base) if absolute != base else ".",
        "repository_root": str(repository) if repository is not None else None,
        "base": str(base),
        "config_file": shown,
        "config_found": how,
        "settings": settings,
    }
