#!/usr/bin/env bash
# Install reform-extract into .venv (created with Python 3.11 if missing). Safe to re-run.
#
#   bash scripts/setup.sh          # the package and its dependencies
#   bash scripts/setup.sh --test   # also what the test suite needs (or REFORM_SETUP_TEST=1)
#
# pkuseg 0.0.25 has no wheel for 3.11 and its setup.py imports numpy and Cython, so it is
# built without build isolation after those are installed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

want_test=${REFORM_SETUP_TEST:-0}
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done

export PIP_DISABLE_PIP_VERSION_CHECK=1
pip_q() { .venv/bin/python -m pip install -q "$@"; }

if [ ! -x .venv/bin/python ]; then
  py=""
  for cand in python3.11 python3; do
    if command -v "$cand" >/dev/null 2>&1 &&
       "$cand" -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))'; then
      py=$cand; break
    fi
  done
  [ -n "$py" ] || { echo "setup.sh: Python 3.11 or newer is needed (python3.11 or python3)" >&2; exit 1; }
  echo "creating .venv with $("$py" --version)"
  "$py" -m venv .venv
fi

pip_q --upgrade pip
pip_q numpy cython wheel setuptools
.venv/bin/python -c 'import pkuseg' 2>/dev/null || pip_q --no-build-isolation pkuseg==0.0.25
pip_q -e ".[test]"
echo "installed: $(.venv/bin/reform --version)"

# LibreOffice headless converts the legacy .doc/.wps/.xls/.et files of government archives
# (extract/formats/legacy.py); the two -nogui packages are 63 packages, ~220 MB installed, ~15 s
# with apt.  Without it those files fail with an "install LibreOffice" reason.
if command -v soffice >/dev/null 2>&1 || command -v libreoffice >/dev/null 2>&1; then
  :
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing LibreOffice (headless) with apt-get, to read .doc/.wps/.xls files"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
         apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui \
         libreoffice-calc-nogui >/dev/null; }; then
    echo "setup.sh: WARNING: could not install LibreOffice; .doc/.wps/.xls files will fail" \
         "with an install hint" >&2
  fi
else
  echo "setup.sh: NOTE: LibreOffice is not installed; to read .doc/.wps/.xls files install" \
       "it (Debian/Ubuntu: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui)" >&2
fi

# reform plot draws Chinese labels: it needs a CJK font (matplotlib finds it by name)
if ! { command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh family | grep -q .; }; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing a CJK font with apt-get (for reform plot)"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
           apt-get install -y -qq --no-install-recommends fonts-wqy-microhei fontconfig >/dev/null; }; then
      echo "setup.sh: WARNING: could not install fonts-wqy-microhei; reform plot labels" \
           "will miss their Chinese characters" >&2
    fi
  else
    echo "setup.sh: WARNING: no CJK font found; install fonts-wqy-microhei or fonts-noto-cjk" \
         "for the Chinese labels of reform plot" >&2
  fi
fi

if [ "$want_test" = 1 ]; then
  # tests/test_distributed.py starts a local Dask cluster; the gazetteer test rebuilds
  # extract/data/regions.tsv from its sources and compares it byte for byte
  pip_q -e ".[test,dask,gazetteer]"
  # the review page test renders HTML in a headless Chromium
  if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
    :
  elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing chromium with apt-get (for the review page test)"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
           apt-get install -y -qq --no-install-recommends chromium fonts-wqy-microhei >/dev/null; }; then
      echo "setup.sh: WARNING: could not install chromium; the review page test will fail" >&2
    fi
  else
    echo "setup.sh: WARNING: chromium is not installed and this is not a root Debian system;" \
         "install chromium yourself for the review page test" >&2
  fi
fi
