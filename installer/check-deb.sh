#!/usr/bin/env bash
# Inspects the .deb of `mvn -Pinstaller package` without installing it: control fields (name, version from the pom,
# dependencies), the files (launchers, bundled runtime and CPU libtorch, licence), the desktop entries, that its
# payload is the tested app image and starts, and (where apt-get exists) that `apt install ./the.deb` would resolve
# its dependencies on this system (simulated: nothing is installed).
#   installer/check-deb.sh [target/installer/itae-studio_VERSION-1_amd64.deb]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
deb="${1:-$(ls "$root"/target/installer/itae-studio_*_amd64.deb 2> /dev/null | head -1)}"
image="$root/target/installer/ITAE Studio"
fail() { echo "check-deb: FAIL: $*" >&2; exit 1; }
[ -f "$deb" ] || fail "no .deb (build it with: mvn -Pinstaller package)"
pom_version="$(sed -n 's/^version=//p' "$root/target/classes/org/itaestudio/version.properties")"
version="$(echo "$pom_version" | sed -E 's/^([0-9]+(\.[0-9]+){0,2}).*$/\1/')"

field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = itae-studio ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$version-1" ] || fail "Version: $(field Version), expected $version-1 (pom $pom_version)"
[ "$(field Architecture)" = amd64 ] || fail "Architecture: $(field Architecture)"
for dep in libgtk-3-0 libgl1 libxtst6 libxxf86vm1 xdg-utils; do
  field Depends | tr ',' '\n' | sed 's/^ *//; s/ *$//' | grep -qx "$dep" || fail "Depends lacks $dep: $(field Depends)"
done

dpkg-deb -c "$deb" | awk '{ $1 = $2 = $3 = $4 = $5 = ""; sub(/^ +/, ""); print }' > "${TMPDIR:-/tmp}/check-deb.$$"
trap 'rm -rf "${TMPDIR:-/tmp}/check-deb.$$" "${work:-}"' EXIT
for f in "./opt/itae-studio/bin/ITAE Studio" ./opt/itae-studio/bin/itae-studio \
    ./opt/itae-studio/lib/app/pytorch-native-cpu-2.5.1-linux-x86_64.jar ./opt/itae-studio/lib/app/sample-data/LICENSES.md \
    ./opt/itae-studio/lib/runtime/lib/server/libjvm.so ./opt/itae-studio/share/doc/copyright \
    ./opt/itae-studio/lib/itae-studio-ITAE_Studio.desktop; do
  grep -qxF "$f" "${TMPDIR:-/tmp}/check-deb.$$" || fail "missing $f"
done
! grep -q onnxruntime "${TMPDIR:-/tmp}/check-deb.$$" || fail "the ONNX Runtime benchmark peer should not be packaged"

work="$(mktemp -d)"
dpkg-deb -x "$deb" "$work"
dpkg-deb -e "$deb" "$work/DEBIAN"
opt="$work/opt/itae-studio"
desktop="$opt/lib/itae-studio-ITAE_Studio.desktop"
for line in "Name=ITAE Studio" "Categories=Graphics;Science;" "Exec=\"/opt/itae-studio/bin/ITAE Studio\"" \
    "Icon=/opt/itae-studio/lib/ITAE_Studio.png" "Type=Application"; do
  grep -qxF "$line" "$desktop" || { cat "$desktop" >&2; fail "desktop entry lacks '$line'"; }
done
grep -q '^Comment=..*' "$desktop" || fail "desktop entry has no Comment"
[ -f "$opt/lib/ITAE_Studio.png" ] || fail "desktop entry icon missing"
grep -qx "NoDisplay=true" "$opt/lib/itae-studio-itae-studio.desktop" || fail "the command-line launcher's entry is not hidden"
grep -q "xdg-desktop-menu install /opt/itae-studio/lib/itae-studio-ITAE_Studio.desktop" "$work/DEBIAN/postinst" \
  || fail "postinst does not register the desktop entry"
# without a desktop menu (xdg-desktop-menu fails, as in containers) the package still installs and removes
mkdir -p "$work/fakebin"
printf '#!/bin/sh\necho "$*" >> "%s/xdg.log"\nexit 3\n' "$work" > "$work/fakebin/xdg-desktop-menu"
chmod +x "$work/fakebin/xdg-desktop-menu"
for script in "postinst configure" "prerm remove"; do
  # shellcheck disable=SC2086
  PATH="$work/fakebin:$PATH" sh "$work/DEBIAN/${script%% *}" ${script#* } > /dev/null 2>&1 \
    || fail "${script%% *} fails when xdg-desktop-menu fails"
done
[ "$(wc -l < "$work/xdg.log")" -eq 4 ] || fail "postinst/prerm did not call xdg-desktop-menu for both entries"

if [ -d "$image" ]; then
  diff -r -x .jpackage.xml "$image/lib/app" "$opt/lib/app" > /dev/null || fail "the .deb's lib/app differs from the app image"
  diff -r "$image/lib/runtime" "$opt/lib/runtime" > /dev/null || fail "the .deb's runtime differs from the app image"
fi
out="$(HOME="$work/home" ITAE_STUDIO_CACHE="$work/cache" "$opt/bin/itae-studio" --version)"
[ "$out" = "ITAE Studio $pom_version" ] || fail "the packaged launcher printed '$out'"
if command -v apt-get > /dev/null; then
  apt-get install --simulate "$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")" > "$work/apt.txt" 2>&1 \
    || { cat "$work/apt.txt" >&2; fail "apt-get install --simulate failed"; }
  grep -q "^Inst itae-studio " "$work/apt.txt" || { cat "$work/apt.txt" >&2; fail "apt would not install itae-studio"; }
fi
echo "check-deb: OK $(basename "$deb") ($(du -h "$deb" | cut -f1), installed size $(field Installed-Size) KiB)"
