#!/usr/bin/env bash
# Checks that the build profiles that cannot be built here resolve to the right native artifacts, by reading the
# dependency tree (Maven fetches POMs only, never the jars: the CUDA libtorch is 2.5 GB):
#   gpu      -> ai.djl.pytorch:pytorch-native-cu124:2.5.1:linux-x86_64 instead of the CPU libtorch
#   windows  -> pytorch-native-cpu:win-x86_64 and the JavaFX win jars
#   mac-arm  -> pytorch-native-cpu:osx-aarch64 and the JavaFX mac-aarch64 jars
# and that the installer profile turns into the right jpackage runs there (effective POM: .msi from "ITAE Studio",
# .dmg from "ITAE Studio.app", the OS's option files). -Djavafx.platform stands in for the OS detection of the
# JavaFX POMs, -P<os> for the OS activation of ours.
set -euo pipefail
cd "$(dirname "$0")/.."
out="target/profile-check"
mkdir -p "$out"
fail() { echo "check-profiles: FAIL: $*" >&2; exit 1; }

tree() { # tree NAME MAVEN-ARGS...
  local name="$1"; shift
  mvn -B -ntp -q "$@" org.apache.maven.plugins:maven-dependency-plugin:3.7.1:tree \
    -Dincludes=ai.djl.pytorch,org.openjfx -DoutputFile="$out/$name.txt" \
    org.apache.maven.plugins:maven-help-plugin:3.5.1:effective-pom -Doutput="$out/$name.pom.xml" \
    > "$out/$name.log" 2>&1 \
    || { cat "$out/$name.log" >&2; fail "mvn dependency:tree $* failed"; }
}
expect() { grep -qF "$2" "$out/$1.txt" || { cat "$out/$1.txt" >&2; fail "$1: no $2"; }; }
jpackage_args() { # the <argument>s of the installer profile's jpackage runs, one line
  sed -n 's/^ *<argument>\(.*\)<\/argument>$/\1/p' "$out/$1.pom.xml" | tr '\n' ' '; }
expect_args() { jpackage_args "$1" | grep -qF -- "$2" || fail "$1: jpackage arguments lack '$2': $(jpackage_args "$1")"; }
reject() { ! grep -qF "$2" "$out/$1.txt" || { cat "$out/$1.txt" >&2; fail "$1: unexpected $2"; }; }

# (with the installer profile and -Dinstaller.skipPackage, to check that the flag skips the installer's jpackage run)
tree gpu -Pgpu,installer -Dinstaller.skipPackage
expect gpu "ai.djl.pytorch:pytorch-native-cu124:jar:linux-x86_64:2.5.1:runtime"
reject gpu "pytorch-native-cpu"
grep -q "<skip>true</skip>" "$out/gpu.pom.xml" || fail "-Dinstaller.skipPackage does not skip the installer"

tree windows -Pinstaller,windows -Djavafx.platform=win
expect windows "ai.djl.pytorch:pytorch-native-cpu:jar:win-x86_64:2.5.1:runtime"
expect windows "org.openjfx:javafx-graphics:jar:win:"
expect_args windows "@installer/jpackage/app.args @installer/jpackage/app-windows.args --type app-image"
expect_args windows "@installer/jpackage/package-windows.args --type msi --app-image $PWD/target/installer/ITAE Studio "
grep -qF "<executable>" "$out/windows.pom.xml" && grep -q "<executable>.*jpackage.exe</executable>" "$out/windows.pom.xml" \
  || fail "windows: jpackage.exe not used"

tree mac-arm -Pinstaller,mac-arm -Djavafx.platform=mac-aarch64 -Dinstaller.version=1.0.0
expect mac-arm "ai.djl.pytorch:pytorch-native-cpu:jar:osx-aarch64:2.5.1:runtime"
expect mac-arm "org.openjfx:javafx-graphics:jar:mac-aarch64:"
expect_args mac-arm "@installer/jpackage/app.args @installer/jpackage/app-macos.args --type app-image"
expect_args mac-arm "@installer/jpackage/package-macos.args --type dmg --app-image $PWD/target/installer/ITAE Studio.app "
expect_args mac-arm "--app-version 1.0.0 "

echo "check-profiles: OK (gpu -> cu124 linux-x86_64; windows -> win-x86_64, JavaFX win, .msi;" \
  "mac-arm -> osx-aarch64, JavaFX mac-aarch64, .dmg)"
