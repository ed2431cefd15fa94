# SPDX-FileCopyrightText: Copyright (c) 2023-2026, NVIDIA CORPORATION & AFFILIATES. All rights reserved.
# SPDX-License-Identifier: Apache-2.0

ARG CUDA_VER=notset
ARG LINUX_VER=notset
FROM nvidia/cuda:${CUDA_VER}-base-${LINUX_VER}

ARG CONDA_ARCH=notset
ARG CUDA_VER=notset
ARG DEBIAN_FRONTEND=noninteractive
ARG PYTHON_VER=notset

# Set RAPIDS versions env variables
ENV RAPIDS_CUDA_VERSION="${CUDA_VER}"
ENV RAPIDS_PY_VERSION="${PYTHON_VER}"
ENV RAPIDS_DEPENDENCIES="latest"
ENV RAPIDS_CONDA_ARCH="${CONDA_ARCH}"

SHELL ["/bin/bash", "-euo", "pipefail", "-c"]

# Add pip.conf
COPY pip.conf /etc/pip.conf

# Install all the tools that are just "download a binary and stick it on PATH".
#
# These can be together, and earlier, because they're very cache-friendly... the versions are
# pinned so the layer content shouldn't change.
#
# And safe here because they're unaffected by pip, the Python interpreter or other Python packages.
ARG AWS_CLI_VER=notset
ARG CPU_ARCH=notset
ARG GH_CLI_VER=notset
ARG LINUX_VER=notset
ARG REAL_ARCH=notset
RUN \
  --mount=type=secret,id=GH_TOKEN,env=GH_TOKEN \
  --mount=type=bind,source=scripts,target=/tmp/build-scripts \
<<EOF
# configure package managers first (do this first because it affects installs in later scripts)
LINUX_VER=${LINUX_VER} \
  /tmp/build-scripts/configure-system-package-managers

# install AWS CLI, gha-tools, and gh CLI
#
# notes:
#   * AWS CLI is needed to work with artifacts on S3
AWS_CLI_VER=${AWS_CLI_VER} \
GH_CLI_VER=${GH_CLI_VER} \
REAL_ARCH=${REAL_ARCH} \
  /tmp/build-scripts/install-tools \
    --aws-cli \
    --gh-cli \
    --gha-tools

set -e
case "${LINUX_VER}" in
  "ubuntu"*)
    rapids-retry apt-get update -y
    apt-get upgrade -y

    PACKAGES_TO_INSTALL=(
      build-essential
      ca-certificates
      curl
      gdb
      git
      jq
      libbz2-dev
      libffi-dev
      liblzma-dev
      libncursesw5-dev
      libnuma1
      libreadline-dev
      libsqlite3-dev
      libssl-dev
      libxml2-dev
      libxmlsec1-dev
      libzstd-dev
      make
      patch
      ssh
      tk-dev
      tzdata
      unzip
      wget
      xz-utils
      zlib1g-dev
    )

    # tzdata is needed by the ORC library used by pyarrow, because it provides /etc/localtime
    # On Ubuntu 24.04 and newer, we also need tzdata-legacy
    os_version=$(grep 'VERSION_ID' /etc/os-release | cut -d '"' -f 2)
    if [[ "${os_version}" > "24.04" ]] || [[ "${os_version}" == "24.04" ]]; then
        PACKAGES_TO_INSTALL+=(tzdata-legacy)
    fi

    apt-get install -y --no-install-recommends \
      "${PACKAGES_TO_INSTALL[@]}" \

    update-ca-certificates

    rm -rf /var/cache/apt/archives /var/lib/apt/lists/*
    ;;
  "rockylinux"*)
    dnf update -y
    dnf install -y epel-release
    dnf update -y
    PACKAGES_TO_INSTALL=(
      bzip2
      bzip2-devel
      ca-certificates
      curl
      dnf-plugins-core
      findutils
      gcc
      gdb
      git
      jq
      libffi-devel
      make
      ncurses-devel
      patch
      readline-devel
      sqlite
      sqlite-devel
      unzip
      wget
      which
      xz
      xz-devel
      zlib-devel
    )
    dnf install -y \
      "${PACKAGES_TO_INSTALL[@]}"

    update-ca-trust extract
    dnf clean all
    pushd tmp
    rapids-retry wget -q https://www.openssl.org/source/openssl-1.1.1k.tar.gz
        tar -xzvf openssl-1.1.1k.tar.gz
    cd openssl-1.1.1k
    ./config --prefix=/usr --openssldir=/etc/ssl --libdir=lib no-shared zlib-dynamic
    # 'install_sw' installs just the libraries, headers, and binaries.
    # Plain 'install' also (slowly) generates and installs the HTML manpages, which we don't need.
    #
    # ref: https://github.com/openssl/openssl/blob/OpenSSL_1_1_1-stable/INSTALL
    #
    make -j"$(nproc)"
    make install_sw
    popd
    rm -rf /tmp/openssl*
    # Python 3.14 adds stdlib compression.zstd and requires libzstd >=1.4.5.
    # Rocky 8 packages libzstd 1.4.4, so provide a newer zstd before pyenv
    # builds Python. See https://github.com/pyenv/pyenv/wiki.
    ZSTD_VERSION=1.5.7
    pushd /tmp
    rapids-retry wget -q "https://github.com/facebook/zstd/releases/download/v${ZSTD_VERSION}/zstd-${ZSTD_VERSION}.tar.gz"
    tar -xzvf "zstd-${ZSTD_VERSION}.tar.gz"
    cd "zstd-${ZSTD_VERSION}"
    make -j"$(nproc)" lib-release
    make -C lib install PREFIX=/usr LIBDIR=/usr/lib64
    ldconfig
    popd
    rm -rf /tmp/zstd*
    ;;
  *)
    echo "Unsupported LINUX_VER: ${LINUX_VER}"
    exit 1
    ;;
esac
EOF

ENV PYENV_ROOT="/pyenv"
ENV PATH="${PYENV_ROOT}/versions/${PYTHON_VER}/bin/:${PYENV_ROOT}/bin:${PYENV_ROOT}/shims:$PATH"

# Set up requested Python version
RUN \
  --mount=type=bind,source=scripts,target=/tmp/build-scripts \
<<EOF
# install pyenv
rapids-retry curl https://pyenv.run | bash

# explicitly parallelize builds run by pyenv's 'python-build' plugin.
#
# ref: https://github.com/pyenv/pyenv/blob/b52a8e3f52c3be68cf46c751ed40a180dfc48ba4/plugins/python-build/README.md?plain=1#L190
export MAKE_OPTS="-j$(nproc)"

# Skip building CPython's own test modules. RAPIDS CI builds and tests wheels,
# not CPython itself, so these just slow down the build.
export PYTHON_CONFIGURE_OPTS="--disable-test-modules"

# create environment for the desired Python version
pyenv install ${PYTHON_VER}
pyenv global ${PYTHON_VER}
python --version

# `rapids-pip-retry` defaults to using `python -m pip` to select which `pip` to
# use so should be compatible with `pyenv`
rapids-pip-retry install --upgrade pip
rapids-pip-retry install \
  'certifi>=2026.1.4' \
  'rapids-dependency-file-generator==1.*,>=1.22'

pyenv rehash

# clear the pip cache
pip cache purge

# remove unnecessary pyenv stuff
/tmp/build-scripts/clean-pyenv

# Allow git to clone anywhere (these are images for isolated, short-lived CI containers,
# don't need to worry about this setting intended for long-lived / shared servers)
git config --system --add safe.directory '*'
EOF

CMD ["/bin/bash"]
