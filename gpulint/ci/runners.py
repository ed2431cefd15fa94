"""Whether a runner label, tag or pool name names a GPU machine: one heuristic for every CI system.

A label counts when one of its tokens names a GPU or an accelerator (`gpu`, `cuda`, an NVIDIA
model such as `a100`, `h100`, `l4`, `t4`, `a10g`, with a count as in `8xh100`, `2t4`, `a100x8`; a
GeForce number 1050-5090; AMD Instinct `mi300x`; Intel Gaudi; Jetson), or the configuration lists
it in `gpu-runner-labels`. Token-based, so `linux-l4t`, `linux-amd64-cpu4`, `x64`, `v2` do not.
"""

from __future__ import annotations

import re

# A label names a GPU or accelerator when one of its tokens (split on - _ . : / and spaces) does:
# a generic word, an NVIDIA data-centre or workstation model (optionally with a count, `8xh100`,
# `a100x8`), a GeForce number (1050 ... 5090), an AMD Instinct or Intel Gaudi accelerator, a Jetson.
_SPLIT = re.compile(r"[-_.:/\s]+")
_GENERIC = re.compile(r"^(?:(?:multi|\d+x?)?gpus?\d*|cuda\d*|nvidia|geforce|tesla|quadro|rtx\w*|rocm\d*|"
                      r"jetson|orin|xavier|gaudi\d?|hpu|amdgpu)$")
_NVIDIA_MODELS = ("a2|a10|a10g|a16|a30|a40|a100|a800|h20|h100|h800|h200|gh200|b100|b200|gb200|b300|l4|l20|l40|"
                  "l40s|t4|v100|p4|p40|p100|k80|m60|a4000|a5000|a6000")
# Cloud GPU instance families, as runner groups and labels name them after the machine:
# AWS g4dn/g5/g6/p3/p4d/p5..., GCP a2/a3/g2, Azure NC/ND/NV series (`standard_nc24ads_a100_v4`).
_INSTANCE = re.compile(r"^(?:g4dn|g4ad|g5|g5g|g6|g6e|gr6|p3|p3dn|p4d|p4de|p5|p5e|p5en|a3|g2|n[cdv]\d+[a-z]*)$")
# Labels that say the machine has no GPU: `no-gpu`, `nogpu`, `non-gpu`, `without-gpu`, `gpuless`.
_NEGATED = re.compile(r"(?:^|[-_.:/\s])(?:no|non|not|without)[-_.]?gpus?(?:$|[-_.:/\s])|gpu-?less")
_NO_GPU = frozenset({"nogpu", "nogpus", "nongpu", "cpuonly"})
_MODEL = re.compile(rf"^(?:\d+x?)?(?:{_NVIDIA_MODELS}|mi\d{{2,3}}[a-z]?|[1-5]0[5-9]0(?:ti)?)(?:x\d+)?$")


def is_gpu_label(label: str, extra: tuple[str, ...] | frozenset[str] = ()) -> bool:
    """Whether a runner label (or group name) names a GPU machine: a token such as `gpu`, `a100`,
    `h100`, `l4`, `t4`, `3090`, `mi300x` (`linux-a100`, `gpu-h100-x8`, `3090-r1`), or a label the
    configuration lists in `gpu-runner-labels` (compared case-insensitively, whole label)."""
    lower = label.strip().lower()
    if not lower:
        return False
    if lower in {x.strip().lower() for x in extra}:
        return True
    tokens = [tok for tok in _SPLIT.split(lower) if tok]
    if _NEGATED.search(lower) or any(tok in _NO_GPU for tok in tokens):
        return False  # no-gpu, nogpu, non-gpu, gpuless, cpu-only
    if "gpu" in lower:  # gpu, ci-gpu, regression-test-gpu, 8gpu, multigpu
        return True
    return any(_GENERIC.match(tok) or _MODEL.match(tok) or _INSTANCE.match(tok) for tok in tokens)
