#!/usr/bin/env bash
# Headless Chromium and its WebDriver for the review app's browser test
# (tests/test_review_browser.py). Installs Debian's chromium and
# chromium-driver when either is missing; does nothing when both are there.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "setup-chromium: chromium/chromedriver missing and not root; the browser test will say so" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends \
        chromium chromium-driver fonts-dejavu-core >/dev/null; }; then
    # not fatal here: the browser test then fails under CI=true and says why
    echo "setup-chromium: could not install chromium and chromium-driver" >&2
fi
