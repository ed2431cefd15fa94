#!/bin/bash
# SPDX-FileCopyrightText: Copyright (c) 2022-2025 NVIDIA CORPORATION & AFFILIATES. All rights reserved.
# SPDX-License-Identifier: Apache-2.0
set -euo pipefail

case "${BUILD_TYPE}" in
  pull-request)
    export PR_NUM="${GITHUB_REF_NAME##*/}"
    ;;
  branch)
    ;;
  *)
    echo "Invalid build type: '${BUILD_TYPE}'"
    exit 1
    ;;
esac

RAPIDS_VERSION_MAJOR_MINOR=$(rapids-version-major-minor)
export RAPIDS_VERSION_MAJOR_MINOR

yq -o json matrix.yaml | jq -c 'include "ci/compute-matrix"; compute_matrix(.)'
