#!/bin/bash
# The pool's PKI for the agents' mutual-TLS endpoint (live migration), with the JDK's keytool.
#   lab/pool-pki.sh ca <dir>                      a pool CA: <dir>/ca.p12 (its key, keep it off the hosts),
#                                                 <dir>/pool-ca.p12 (the trust store every agent gets: the
#                                                 CA's certificate alone) and <dir>/password
#   lab/pool-pki.sh host <dir> <name> [<ip>...]   an agent's key and certificate in <dir>/<name>.p12, issued
#                                                 by the CA of <dir>, CN=<name>, subjectAltName DNS:<name>,
#                                                 DNS:localhost and IP:127.0.0.1 plus the IPs given
# An agent's etc/org.headroom.migrate.cfg then names keystore=<name>.p12, truststore=pool-ca.p12 and
# password_file=password. Idempotent: an existing CA or host store is kept.
set -euo pipefail

usage() { echo "usage: $0 ca <dir> | host <dir> <name> [<ip>...]" >&2; exit 2; }
[ $# -ge 2 ] || usage
KEYTOOL=${KEYTOOL:-$(command -v keytool || echo "${JAVA_HOME:-/usr}/bin/keytool")}
cmd=$1
dir=$2
mkdir -p "$dir"
kt() { "$KEYTOOL" -noprompt "$@" >/dev/null 2>&1 || { "$KEYTOOL" -noprompt "$@"; exit 1; }; }

case $cmd in
  ca)
    [ -s "$dir/password" ] || (umask 077; head -c 18 /dev/urandom | base64 > "$dir/password")
    pw=$(cat "$dir/password")
    if [ ! -f "$dir/ca.p12" ]; then
      kt -genkeypair -alias ca -keyalg EC -groupname secp256r1 -sigalg SHA256withECDSA -validity 3650 \
        -dname "CN=Headroom pool CA" -ext bc:c -ext ku:c=keyCertSign,cRLSign \
        -keystore "$dir/ca.p12" -storetype PKCS12 -storepass "$pw" -keypass "$pw"
      kt -exportcert -rfc -alias ca -keystore "$dir/ca.p12" -storepass "$pw" -file "$dir/ca.pem"
      rm -f "$dir/pool-ca.p12"
      kt -importcert -alias pool-ca -file "$dir/ca.pem" -keystore "$dir/pool-ca.p12" -storetype PKCS12 -storepass "$pw"
    fi
    echo "$dir/pool-ca.p12"
    ;;
  host)
    [ $# -ge 3 ] || usage
    name=$3
    shift 3
    [ -f "$dir/ca.p12" ] || { echo "no CA in $dir: run $0 ca $dir first" >&2; exit 1; }
    pw=$(cat "$dir/password")
    store="$dir/$name.p12"
    if [ ! -f "$store" ]; then
      san="DNS:$name,DNS:localhost,IP:127.0.0.1"
      for ip in "$@"; do san="$san,IP:$ip"; done
      tmp=$(mktemp -d)
      trap 'rm -rf "$tmp"' EXIT
      kt -genkeypair -alias agent -keyalg EC -groupname secp256r1 -sigalg SHA256withECDSA -validity 825 \
        -dname "CN=$name" -keystore "$tmp/agent.p12" -storetype PKCS12 -storepass "$pw" -keypass "$pw"
      kt -certreq -alias agent -keystore "$tmp/agent.p12" -storepass "$pw" -file "$tmp/agent.csr"
      kt -gencert -alias ca -keystore "$dir/ca.p12" -storepass "$pw" -infile "$tmp/agent.csr" -outfile "$tmp/agent.pem" \
        -rfc -validity 825 -ext "san=${san,,}" -ext ku:c=digitalSignature -ext eku=serverAuth,clientAuth
      kt -importcert -alias ca -file "$dir/ca.pem" -keystore "$tmp/agent.p12" -storepass "$pw"
      kt -importcert -alias agent -file "$tmp/agent.pem" -keystore "$tmp/agent.p12" -storepass "$pw"
      mv "$tmp/agent.p12" "$store"
    fi
    echo "$store"
    ;;
  *) usage ;;
esac
