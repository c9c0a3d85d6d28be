#!/usr/bin/env bash
# Builds an ember that carries LLVM and MLIR inside it (EMBER_STATIC_LLVM) in
# build-device/, and bundles it for a machine without LLVM/MLIR/zmq/python:
#
#   build-device/bundle/ember     the stripped binary
#   build-device/bundle/lib/      the shared libraries it still needs, less
#                                 glibc's (libc, libm, ld-linux, ...) and libgcc_s
#   build-device/bundle/stdlib/   Ember's standard library
#   build-device/bundle/run.sh    runs ember with LD_LIBRARY_PATH and EMBER_STDLIB set
#
# Copy build-device/bundle/ anywhere and run `bundle/run.sh run prog.ember`.
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=build-device
BUNDLE=$BUILD/bundle
JOBS=${JOBS:-$(nproc)}

cmake -S . -B "$BUILD" -DEMBER_STATIC_LLVM=ON -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" --target ember -j "$JOBS"

rm -rf "$BUNDLE"
mkdir -p "$BUNDLE/lib"
strip -o "$BUNDLE/ember" "$BUILD/ember"

# What the target has of its own: glibc and libgcc_s.  libstdc++ travels
# (LD_LIBRARY_PATH puts ours first; the target's, if newer, would do too).
keep='^(linux-vdso|libc|libm|libpthread|libdl|librt|libresolv|libutil|ld-linux[^.]*|libgcc_s)\.so'
ldd "$BUNDLE/ember" | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}' |
  while read -r name path; do
    if [[ $name =~ $keep ]]; then continue; fi
    cp -L "$path" "$BUNDLE/lib/$name"
  done
if ldd "$BUNDLE/ember" | grep -q 'not found'; then
  echo "device-bundle: ldd reports missing libraries:" >&2
  ldd "$BUNDLE/ember" | grep 'not found' >&2
  exit 1
fi

cp -r stdlib "$BUNDLE/stdlib"

cat >"$BUNDLE/run.sh" <<'EOF'
#!/bin/sh
# Runs the bundled ember with its libraries and standard library.
here=$(cd "$(dirname "$0")" && pwd)
LD_LIBRARY_PATH="$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
EMBER_STDLIB="$here/stdlib" \
  exec "$here/ember" "$@"
EOF
chmod +x "$BUNDLE/run.sh"

echo "bundle: $BUNDLE"
ls -l "$BUNDLE/ember" "$BUNDLE/lib"
du -sh --apparent-size "$BUNDLE" | awk '{print "bundle size: " $1}'
