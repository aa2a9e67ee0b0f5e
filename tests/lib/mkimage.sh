#!/bin/sh
# mkimage.sh ROOTFS OUT.tar NAME:TAG: a docker-archive image (the format of
# `docker save`, accepted by docker load and ctr image import) holding
# ROOTFS as its single layer. No network, no registry. MKIMAGE_CONFIG: JSON
# merged into the image's config (say {"Volumes": {"/data": {}}}).
set -eu
rootfs=${1:?usage: mkimage.sh ROOTFS OUT.tar NAME:TAG}
out=${2:?}
ref=${3:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -C "$rootfs" --numeric-owner -cf "$work/layer.tar" .
diff=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
mkdir "$work/$diff"
mv "$work/layer.tar" "$work/$diff/layer.tar"
jq -n --arg d "sha256:$diff" --arg now "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --argjson extra "${MKIMAGE_CONFIG:-{\}}" '{
  architecture: "amd64", os: "linux", created: $now,
  config: ({Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
           Cmd: ["/bin/sh"], WorkingDir: "/"} + $extra),
  rootfs: {type: "layers", diff_ids: [$d]},
  history: [{created: $now, created_by: "tests/lib/mkimage.sh"}]}' > "$work/config.json"
cid=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mv "$work/config.json" "$work/$cid.json"
jq -n --arg c "$cid.json" --arg r "$ref" --arg l "$diff/layer.tar" \
    '[{Config: $c, RepoTags: [$r], Layers: [$l]}]' > "$work/manifest.json"
tar -C "$work" -cf "$out" manifest.json "$cid.json" "$diff"
