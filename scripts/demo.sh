#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make demo: the main job on an embedded default. For now: what this kernel can enforce.
set -eu
O=$1
echo "\$ sbx status"
"$O/sbx" status
