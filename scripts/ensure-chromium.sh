#!/usr/bin/env bash
# ensure-chromium.sh makes sure a headless Chromium is available for the
# console's browser tests (chromedp drives it). Idempotent:
#
#   1. if chromium (or $HOLDFAST_CHROMIUM) runs, it does nothing;
#   2. otherwise, as root (or through sudo) on Debian, it installs Debian's
#      chromium package.
#
# Without Chromium the browser tests skip, except under CI=true, where they
# fail: CI must exercise the console in a real browser.
set -euo pipefail

log() { echo "ensure-chromium: $*"; }

bin="${HOLDFAST_CHROMIUM:-chromium}"
# A CJK font, so the Chinese console screenshots show characters, not boxes.
have_font() { fc-list 2>/dev/null | grep -qi "wqy\|noto sans cjk\|droid sans fallback"; }
if command -v "$bin" >/dev/null 2>&1 && have_font; then
	log "$("$bin" --version 2>/dev/null || echo "$bin") is installed"
	exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
	log "no chromium and no apt-get: install Chromium and set HOLDFAST_CHROMIUM to its path"
	exit 1
fi
as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}
log "installing Debian's chromium and a CJK font"
export DEBIAN_FRONTEND=noninteractive
pkgs=(chromium fonts-wqy-zenhei)
if ! as_root apt-get install -y --no-install-recommends "${pkgs[@]}" >/dev/null 2>&1; then
	as_root apt-get update -qq
	as_root apt-get install -y --no-install-recommends "${pkgs[@]}" >/dev/null
fi
log "$(chromium --version) installed"
