#!/usr/bin/env bash
# The gpulint GitHub Action's step (action.yml): install gpulint (and the `live` extra when the
# `live` input asks for live mode) from the action's own checkout into a virtual environment of
# its own under $RUNNER_TEMP, made with the runner's Python (the `python` input), so the job's
# Python and packages are neither changed nor used; lint once writing annotations, SARIF and
# JSON; post the fixes as review suggestions when asked; set the step's outputs that exist; exit with gpulint's status (0 clean, 1 findings
# at/above fail-on, 2 a run that could not complete).
#
# Testing hook (tests/test_action.py): GPULINT_ACTION_SKIP_INSTALL=1 skips the virtual
# environment and runs "${GPULINT_PYTHON:-python3} -m gpulint" against the working tree.
set -uo pipefail

action_path=${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set (run inside a GitHub Action)}
temp=${RUNNER_TEMP:-$(mktemp -d)}
path=${INPUT_PATH:-.}
sarif=${INPUT_SARIF_FILE-gpulint.sarif}  # set but empty: no SARIF file
cd "${GITHUB_WORKSPACE:-$PWD}" || exit 2

fail() {
  echo "::error title=gpulint::$1"
  exit 2
}
boolean() {  # boolean NAME VALUE DEFAULT: a true/false input's value (or its default), else a usage error
  case "${2:-$3}" in
    true | false) ;;
    *) fail "input $1 must be true or false, not '$2'" ;;
  esac
}
boolean annotations "${INPUT_ANNOTATIONS:-}" true && annotations=${INPUT_ANNOTATIONS:-true}
boolean allow-empty "${INPUT_ALLOW_EMPTY:-}" false && allow_empty=${INPUT_ALLOW_EMPTY:-false}
boolean live "${INPUT_LIVE:-}" false && live=${INPUT_LIVE:-false}

package="$action_path"
[[ $live == true ]] && package="$action_path[live]"
if [[ "${GPULINT_ACTION_SKIP_INSTALL:-}" == 1 ]]; then
  python=${GPULINT_PYTHON:-python3}
else
  base=${INPUT_PYTHON:-python3}
  if ! "$base" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
    fail "input python: '$base' is not a Python 3.11 or newer on this runner"
  fi
  venv="$temp/gpulint-venv"
  if ! "$base" -m venv "$venv" >/dev/null || \
     ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$package"; then
    fail "could not install $package into $venv"
  fi
  python="$venv/bin/python"
fi
echo "gpulint: $("$python" -m gpulint --version) from $package"

args=(check "$path")
[[ -n "$sarif" ]] && args+=(--format sarif --output "$sarif")
json="$temp/gpulint-$$.json"
args+=(--format json --output "$json")
if [[ $annotations == true ]]; then
  args+=(--format github --output -)
else
  args+=(--format github --output /dev/null)  # still writes the step summary
fi
[[ -n "${INPUT_CONFIG:-}" ]] && args+=(--config "$INPUT_CONFIG")
[[ -n "${INPUT_FAIL_ON:-}" ]] && args+=(--fail-on "$INPUT_FAIL_ON")
[[ $allow_empty == true ]] && args+=(--allow-empty)
# Live mode builds and runs the pull request's image: only for trusted code on a GPU runner.
[[ $live == true ]] && args+=(--live)

rm -f "$json"
"$python" -m gpulint "${args[@]}"
status=$?

# gpulint writes its outputs only when the run completed (exit 0 or 1): only then do they exist.
outputs=()
if [[ $status -le 1 && -s "$json" ]]; then
  read -r findings errors < <("$python" -c '
import json, sys
summary = json.load(open(sys.argv[1], encoding="utf-8"))["summary"]
print(summary["errors"] + summary["warnings"] + summary["infos"], summary["errors"])
' "$json")
  outputs+=("findings=$findings" "errors=$errors")
fi
[[ $status -le 1 && -n "$sarif" && -f "$sarif" ]] && outputs+=("sarif-file=$sarif")

# Fixes as review suggestions on the pull request's diff (a courtesy: it never changes the status).
if [[ "${INPUT_SUGGESTIONS:-false}" == true && -s "$json" ]]; then
  GITHUB_TOKEN="${INPUT_GITHUB_TOKEN:-${GITHUB_TOKEN:-}}" \
    "$python" -m gpulint.reporters.review "$json" --root "$path" || true
fi
rm -f "$json"
if [[ -n "${GITHUB_OUTPUT:-}" && ${#outputs[@]} -gt 0 ]]; then
  printf '%s\n' "${outputs[@]}" >>"$GITHUB_OUTPUT"
fi
if [[ $status -ge 2 ]]; then
  echo "::error title=gpulint::gpulint could not run (exit status $status); see the log above"
fi
exit "$status"
