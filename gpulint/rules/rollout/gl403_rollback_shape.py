from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.syntax import yamlnode as Y
from gpulint.rules.base import Rule


class RollbackShape(Rule):
    """
    ## What it does
    Warns when `rollback_commands` is not a list of command strings: a single (block) string,
    a mapping of names to commands, or list items that are mappings, lists or numbers. gpulint
    still reads the commands in those forms (one command per line of a string, the string
    values of a mapping), but the lab grader and most runbook tooling expect a list.

    ## Why is this bad?
    A runbook is executed one step at a time by a tired human or a script that iterates the
    list; a block of text, or a mapping whose order a tool may not keep, invites skipping or
    reordering steps, and a grader that reads `rollback_commands` as a list does not find the
    commands at all.

    ## Example
    ```yaml
    rollback_commands: |
      kubectl -n ml rollout history deployment/gpu-inference
      kubectl -n ml rollout undo deployment/gpu-inference
    ```

    ## Use instead
    ```yaml
    rollback_commands:
      - kubectl -n ml rollout history deployment/gpu-inference
      - kubectl -n ml rollout undo deployment/gpu-inference
    ```

    ## Fix
    Write `rollback_commands` as a YAML list with one command string per item.
    """

    id = "GL403"
    name = "rollback-commands-shape"
    severity = Severity.WARNING
    kind = "rollout"
    criterion = "rollback.commands"
    summary = "rollback_commands is not a list of command strings"
    fix = "write rollback_commands as a list with one command string per item"

    def check(self, spec, project):
        pair = Y.get_pair(spec.node, "rollback_commands")
        if pair is None or Y.is_null(pair[1]):
            return  # GL401 reports a missing or empty key
        key, value = pair
        if Y.is_scalar(value):
            if value.tag == Y.STR_TAG and value.value.strip():
                what = "a multi-line string" if "\n" in value.value.strip() else "a single string"
            else:
                what = f"a {value.tag.rsplit(':', 1)[-1]} value"
            yield self.report(Y.span(spec.source, key),
                              f"`rollback_commands` is {what}, not a list; write one command per list item (`- kubectl ...`)")
        elif Y.is_map(value):
            yield self.report(Y.span(spec.source, key),
                              "`rollback_commands` is a mapping, not a list; write the commands as list items "
                              "(`- kubectl ...`) in the order they are run")
        else:
            for item in Y.items(value):
                if not (Y.is_scalar(item) and item.tag == Y.STR_TAG):
                    kind = "mapping" if Y.is_map(item) else "list" if Y.is_seq(item) else "non-string value"
                    yield self.report(Y.span(spec.source, item),
                                      f"this `rollback_commands` item is a {kind}; write the command itself as a string")
