"""Scheduling across files: toleration matching, node selection, GPU quota sums."""

from __future__ import annotations

import pytest
import yaml

from gpulint.engine.run import run
from gpulint.project import scheduling as S
from gpulint.syntax import yamlnode as Y


def node(text: str):
    return yaml.compose(text)


TAINT = S.Taint("nvidia.com/gpu", "true", "NoSchedule")


@pytest.mark.parametrize("toleration, expected", [
    ("{key: nvidia.com/gpu, operator: Exists}", True),
    ("{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}", True),
    ("{key: nvidia.com/gpu, operator: Exists, effect: NoExecute}", False),
    ("{operator: Exists}", True),  # empty key with Exists tolerates everything
    ("{key: nvidia.com/gpu, value: 'true'}", True),  # Equal is the default operator
    ("{key: nvidia.com/gpu, operator: Equal, value: present}", False),
    ("{key: nvidia.com/gpu}", False),  # Equal with an empty value
    ("{key: gpu, operator: Exists}", False),
    ("{operator: Equal, value: 'true'}", False),
    ("[not, a, mapping]", False),
])
def test_toleration_matching(toleration, expected):
    assert S.tolerates(node(toleration), TAINT) is expected


def group(labels, taints=()):
    return S.NodeGroup(None, None, "Node", "n", {k: {v} for k, v in labels.items()}, list(taints), True)


def test_selection_node_selector_and_affinity():
    g = group({"node-type": "gpu-compute", "zone": "a"}, [TAINT])
    assert S.selection(node("{nodeSelector: {node-type: gpu-compute}}")).matches(g)
    assert not S.selection(node("{nodeSelector: {node-type: cpu}}")).matches(g)
    assert not S.selection(node("{containers: []}")).selects
    affinity = """
affinity:
  nodeAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      nodeSelectorTerms:
        - matchExpressions: [{key: node-type, operator: In, values: [cpu]}]
        - matchExpressions: [{key: node-type, operator: Exists}, {key: zone, operator: NotIn, values: [b]}]
"""
    assert S.selection(node(affinity)).matches(g)
    assert not S.selection(node(affinity.replace("NotIn, values: [b]", "In, values: [b]"))).matches(g)


def test_untolerated_ignores_prefer_no_schedule():
    g = group({}, [TAINT, S.Taint("spot", "", "PreferNoSchedule")])
    assert S.untolerated(node("[{key: nvidia.com/gpu, operator: Exists}]"), g) == []
    assert S.untolerated(None, g) == [TAINT]


JOB = """apiVersion: batch/v1
kind: Job
metadata: {{name: j, namespace: ml}}
spec:
  parallelism: {par}
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: a
          image: x:1
          resources: {{limits: {{nvidia.com/gpu: {gpus}}}}}
        - name: b
          image: x:1
          resources: {{limits: {{nvidia.com/gpu: 1}}}}
"""
QUOTA = """apiVersion: v1
kind: ResourceQuota
metadata: {{name: q, namespace: ml}}
spec:
  hard: {{requests.nvidia.com/gpu: "{n}", limits.nvidia.com/gpu: {n}}}
"""
STS = """apiVersion: apps/v1
kind: StatefulSet
metadata: {name: s, namespace: ml}
spec:
  replicas: 2
  serviceName: s
  selector: {matchLabels: {app: s}}
  template:
    metadata: {labels: {app: s}}
    spec:
      containers: [{name: s, image: x:1, resources: {limits: {nvidia.com/gpu: "2"}}}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: s, namespace: ml}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: StatefulSet, name: s}
  minReplicas: 1
  maxReplicas: 5
"""


def quota_findings(tmp_path, files):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return [f for f in run([tmp_path]).findings if f.rule == "GL661"]


def test_quota_sum_replicas_times_gpus(tmp_path):
    # Job: parallelism 2 x (2 + 1) GPUs = 6
    assert len(quota_findings(tmp_path, {"q.yaml": QUOTA.format(n=5), "j.yaml": JOB.format(par=2, gpus=2)})) == 2
    assert quota_findings(tmp_path, {"q.yaml": QUOTA.format(n=6), "j.yaml": JOB.format(par=2, gpus=2)}) == []


def test_quota_uses_hpa_max_replicas(tmp_path):
    # StatefulSet at full scale: HPA maxReplicas 5 x 2 GPUs = 10
    found = quota_findings(tmp_path, {"q.yaml": QUOTA.format(n=8), "s.yaml": STS})
    assert found and "10" in found[0].message
    assert quota_findings(tmp_path, {"q.yaml": QUOTA.format(n=10), "s.yaml": STS}) == []


def test_pod_gpus_counts_init_containers():
    pod = node("{containers: [{resources: {limits: {nvidia.com/gpu: 1}}}], "
               "initContainers: [{resources: {limits: {nvidia.com/gpu: 4}}}]}")
    assert S.pod_gpus(pod) == 4


def test_no_false_findings_on_realworld_k8s():
    from pathlib import Path

    folder = Path("/work/shared/realworld/k8s")
    if not folder.is_dir():
        pytest.skip("real-world corpus not available")
    assert [f for f in run([folder]).findings if f.rule in ("GL660", "GL661")] == []


def test_odd_input_no_traceback(tmp_path):
    (tmp_path / "odd.yaml").write_text("""
apiVersion: v1
kind: Node
metadata: {name: n, labels: [x]}
spec: {taints: [{key: k, effect: NoSchedule}, 5, {key: [a]}]}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: q}
spec: {hard: {requests.nvidia.com/gpu: lots}}
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  nodeSelector: [a]
  affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [5, {matchExpressions: 3}]}}}
  containers: [{name: c, image: x, resources: {limits: {nvidia.com/gpu: [1]}}}]
""")
    run([tmp_path])
    assert Y.is_map(node("{a: 1}"))
