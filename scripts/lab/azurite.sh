# shellcheck shell=bash
# Azure Blob Storage in the lab: Microsoft's emulator Azurite (npm `azurite`, pinned) with the container `mlflow`, in
# its own network namespace on the bridge (prov-blob, 10.231.0.3, as the database has prov-db): VMs reach it over the
# bridge, not through this machine's input firewall. They reach it as an Azure SDK reaches a storage account,
# through a connection string:
#   BlobEndpoint=http://10.231.0.3:10000/devstoreaccount1;  (account devstoreaccount1, Microsoft's published dev key)
# The product is not told it is a lab: only the connection string's endpoint differs (docs/azure-blob.md).
#
#   package  $LAB_STATE/azurite/pkg   (npm install --prefix, by `lab up` or scripts/lab-deps.sh; not a product dependency)
#   data     $LAB_STATE/azurite/data  (blobs and Azurite's metadata; kept across `down`)

LAB_AZURITE_VERSION=3.37.0
LAB_BLOB_IP=$LAB_NET.3
LAB_BLOB_NS=prov-blob
LAB_AZURITE_PORT=10000
LAB_AZURITE_CONTAINER=mlflow
LAB_AZURITE_ACCOUNT=devstoreaccount1
# Not a secret: the development account's key, published in Azurite's and Azure's documentation.
LAB_AZURITE_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

azurite_dir() { echo "$LAB_STATE/azurite"; }
azurite_bin() { echo "$(azurite_dir)/pkg/node_modules/.bin/azurite-blob"; }

# The pinned package into the lab's folder (needs the npm registry once); a different version is replaced.
azurite_install() {
  local pkg have
  pkg=$(azurite_dir)/pkg
  have=$(sed -n 's/^ *"version": "\(.*\)",$/\1/p' "$pkg/node_modules/azurite/package.json" 2>/dev/null | head -1) || true
  [[ $have == "$LAB_AZURITE_VERSION" && -x $(azurite_bin) ]] && return 0
  command -v npm >/dev/null || die "Azurite needs npm (Node.js 20): install Node, then rerun"
  say "installing azurite@$LAB_AZURITE_VERSION (npm) into $pkg"
  mkdir -p "$pkg"
  # The caller's environment on purpose: npm's registry settings, proxy and extra CA certificates are theirs.
  (cd / && timeout 600 npm install --prefix "$pkg" --no-audit --no-fund --ignore-scripts --fetch-timeout=60000 \
    "azurite@$LAB_AZURITE_VERSION" </dev/null >"$LAB_STATE/logs/azurite-install.log" 2>&1) ||
    die "installing azurite failed; see $LAB_STATE/logs/azurite-install.log"
}

azurite_start() {
  local d pid
  d=$(azurite_dir)
  azurite_install
  if ! pid_get azurite >/dev/null; then
    ns_up "$LAB_BLOB_NS" provblob "$LAB_BLOB_IP"
    install -d -o nobody -g nogroup -m 0700 "$d/data"
    # --skipApiVersionCheck: the SDK in the VMs' venv sends an API version newer than the emulator knows.
    pid=$(launch "$LAB_STATE/logs/azurite.log" nsenter --net="/run/netns/$LAB_BLOB_NS" \
      setpriv --reuid=nobody --regid=nogroup --clear-groups \
      env -i PATH="$LAB_PATH" HOME="$d/data" "$(azurite_bin)" --blobHost "$LAB_BLOB_IP" --blobPort "$LAB_AZURITE_PORT" \
      --location "$d/data" --loose --skipApiVersionCheck --disableTelemetry)
    pid_record azurite "$pid"
    wait_for 30 tcp_open "$LAB_BLOB_IP" "$LAB_AZURITE_PORT" || die "Azurite did not start; see $LAB_STATE/logs/azurite.log"
  fi
  azurite_container "$LAB_AZURITE_CONTAINER"
}

azurite_stop() {
  pid_stop azurite TERM 10
  ns_down "$LAB_BLOB_NS" provblob
}

# Creates a container with the dev account's SharedKey (201 created, 409 already there).
azurite_container() {
  local name=$1 date hexkey sig code
  date=$(LC_ALL=C TZ=GMT date '+%a, %d %b %Y %H:%M:%S GMT')
  hexkey=$(base64 -d <<<"$LAB_AZURITE_KEY" | od -An -vtx1 | tr -d ' \n')
  # Create Container's string to sign: the verb, eleven empty standard headers, the x-ms headers, the resource.
  sig=$(printf 'PUT\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:%s\nx-ms-version:2021-08-06\n/%s/%s/%s\nrestype:container' \
    "$date" "$LAB_AZURITE_ACCOUNT" "$LAB_AZURITE_ACCOUNT" "$name" |
    openssl dgst -sha256 -mac HMAC -macopt "hexkey:$hexkey" -binary | base64 -w0)
  code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 -X PUT -H 'Content-Length: 0' \
    -H "x-ms-date: $date" -H 'x-ms-version: 2021-08-06' -H "Authorization: SharedKey $LAB_AZURITE_ACCOUNT:$sig" \
    "http://$LAB_BLOB_IP:$LAB_AZURITE_PORT/$LAB_AZURITE_ACCOUNT/$name?restype=container") || code=000
  [[ $code == 201 || $code == 409 ]] || die "Azurite did not create the container $name (HTTP $code); see $LAB_STATE/logs/azurite.log"
}
