#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Make a throwaway PKI for the signing tests in DIR (never committed; a new one per run):
#   root.pem                 test root CA (ECDSA P-256), the trust anchor
#   int.pem                  intermediate CA under it (also chain.pem)
#   leaf.{key,pem}           ECDSA P-256 code-signing leaf, OU=TEAM42, valid 30 days
#   rsa.{key,pem}            RSA 2048 code-signing leaf, OU=TEAMRSA
#   rsa1024.{key,pem}        RSA 1024 leaf (too small to sign with)
#   noeku.{key,pem}          leaf whose EKU is serverAuth only
#   other-root.pem, stranger.{key,pem}   a second, untrusted PKI and its leaf
#   noteam.{key,pem}         code-signing leaf without an OU
#   badku.{key,pem}          code-signing EKU, but key usage keyEncipherment only
#   p384.{key,pem}           ECDSA P-384 leaf (unsupported curve)
#   ed25519.{key,pem}        Ed25519 leaf (a key type outside the allow-list)
#   space.{key,pem}          code-signing leaf whose OU has a space (not a team id)
#   *.serial                 each leaf's serial in hex
#   mkca.sh DIR
set -eu
d=${1:?usage: mkca.sh DIR}
mkdir -p "$d"
cd "$d"
export OPENSSL_CONF=/dev/null RANDFILE="$d/.rnd"

ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:"$2" -out "$1.key" 2>/dev/null; }
rsa() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:"$2" -out "$1.key" 2>/dev/null; }

ca_ext='basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid'
cs_ext='basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=codeSigning
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid'
badku_ext='basicConstraints=critical,CA:FALSE
keyUsage=critical,keyEncipherment
extendedKeyUsage=codeSigning'
tls_ext='basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth'

root() { # NAME CN
	ec "$1" prime256v1
	openssl req -x509 -new -key "$1.key" -subj "/O=sbx tests/CN=$2" -days 3650 \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" \
		-addext "subjectKeyIdentifier=hash" -out "$1.pem"
}

issue() { # NAME SUBJECT ISSUER EXT DAYS
	printf '%s\n' "$4" >"$1.ext"
	openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
	openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" \
		-set_serial "0x$(openssl rand -hex 8)" -days "$5" -extfile "$1.ext" -out "$1.pem" \
		2>/dev/null
	openssl x509 -in "$1.pem" -noout -serial | sed 's/^serial=//' >"$1.serial"
	rm -f "$1.csr" "$1.ext"
}

root root "sbx test root"
ec int prime256v1
issue int "/O=sbx tests/CN=sbx test intermediate" root "$ca_ext" 3650
cp int.pem chain.pem

ec leaf prime256v1
issue leaf "/O=sbx tests/OU=TEAM42/CN=sbx test leaf" int "$cs_ext" 30
rsa rsa 2048
issue rsa "/O=sbx tests/OU=TEAMRSA/CN=sbx test rsa leaf" int "$cs_ext" 30
rsa rsa1024 1024
issue rsa1024 "/O=sbx tests/OU=TEAM42/CN=sbx test small rsa" int "$cs_ext" 30
ec noeku prime256v1
issue noeku "/O=sbx tests/OU=TEAM42/CN=sbx test tls leaf" int "$tls_ext" 30
ec noteam prime256v1
issue noteam "/O=sbx tests/CN=sbx test no team" int "$cs_ext" 30
ec badku prime256v1
issue badku "/O=sbx tests/OU=TEAM42/CN=sbx test bad key usage" int "$badku_ext" 30
ec p384 secp384r1
issue p384 "/O=sbx tests/OU=TEAM42/CN=sbx test p384" int "$cs_ext" 30
openssl genpkey -algorithm ED25519 -out ed25519.key 2>/dev/null
issue ed25519 "/O=sbx tests/OU=TEAM42/CN=sbx test ed25519" int "$cs_ext" 30
ec space prime256v1
issue space "/O=sbx tests/OU=IT Department/CN=sbx test space" int "$cs_ext" 30

root other-root "sbx other root"
ec stranger prime256v1
issue stranger "/O=elsewhere/OU=TEAMX/CN=stranger" other-root "$cs_ext" 30
