#!/usr/bin/env bash
# The gpulint GitHub Action's step (action.yml): install gpulint from the action's own checkout
# into an isolated venv, lint once writing annotations, SARIF and JSON, post the fixes as review
# suggestions when asked, set the step's outputs, and exit with gpulint's status (0 clean,
# 1 findings at/above fail-on, 2 usage error).
#
# Testing hooks (tests/test_action.py): GPULINT_ACTION_SKIP_INSTALL=1 skips the venv and runs
# "${GPULINT_PYTHON:-python3} -m gpulint" instead, so the script runs offline against the
# working tree.
set -uo pipefail

action_path=${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set (run inside a GitHub Action)}
temp=${RUNNER_TEMP:-$(mktemp -d)}
path=${INPUT_PATH:-.}
sarif=${INPUT_SARIF_FILE:-gpulint.sarif}
cd "${GITHUB_WORKSPACE:-$PWD}" || exit 2

if [[ "${GPULINT_ACTION_SKIP_INSTALL:-}" == 1 ]]; then
  python=${GPULINT_PYTHON:-python3}
else
  venv="$temp/gpulint-venv"
  # A venv of its own: the action must not change, or be broken by, the job's Python packages.
  if ! python3 -m venv "$venv" >/dev/null || \
     ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$action_path"; then
    echo "::error title=gpulint::could not install gpulint from $action_path"
    exit 2
  fi
  python="$venv/bin/python"
fi

args=(check "$path" --format sarif --output "$sarif")
json="$temp/gpulint-$$.json"
args+=(--format json --output "$json")
if [[ "${INPUT_ANNOTATIONS:-true}" == true ]]; then
  args+=(--format github --output -)
else
  args+=(--format github --output /dev/null)  # still writes the step summary
fi
[[ -n "${INPUT_CONFIG:-}" ]] && args+=(--config "$INPUT_CONFIG")
[[ -n "${INPUT_FAIL_ON:-}" ]] && args+=(--fail-on "$INPUT_FAIL_ON")
# Live mode builds and runs the pull request's image: only for trusted code on a GPU runner.
[[ "${INPUT_LIVE:-false}" == true ]] && args+=(--live)

"$python" -m gpulint "${args[@]}"
status=$?

findings="" errors=""
if [[ -s "$json" ]]; then
  read -r findings errors < <("$python" -c '
import json, sys
summary = json.load(open(sys.argv[1], encoding="utf-8"))["summary"]
print(summary["errors"] + summary["warnings"] + summary["infos"], summary["errors"])
' "$json")
fi
# Fixes as review suggestions on the pull request's diff (a courtesy: it never changes the status).
if [[ "${INPUT_SUGGESTIONS:-false}" == true && -s "$json" ]]; then
  GITHUB_TOKEN="${INPUT_GITHUB_TOKEN:-${GITHUB_TOKEN:-}}" \
    "$python" -m gpulint.reporters.review "$json" --root "$path" || true
fi
rm -f "$json"
if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
  {
    echo "findings=$findings"
    echo "errors=$errors"
    echo "sarif-file=$sarif"
  } >>"$GITHUB_OUTPUT"
fi
if [[ $status -ge 2 ]]; then
  echo "::error title=gpulint::gpulint could not run (exit status $status); see the log above"
fi
exit "$status"
