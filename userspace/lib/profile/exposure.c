// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The exposure score `sbx profile lint` prints, in the spirit of `systemd-analyze
 * security`: 0 is a program that can touch nothing, 10 one that is not confined at all.
 * Each grant adds its weight; the grants that weigh most are listed as the reasons.
 */
#include <stdio.h>
#include <string.h>

#include "profile/exposure.h"

static void add(struct sbx_exposure *x, double weight, const char *key, const char *detail,
		bool warn)
{
	if (x->n < SBX_EXPOSURE_MAX_ITEMS) {
		struct sbx_exposure_item *it = &x->items[x->n++];

		it->weight = weight;
		it->warn = warn;
		snprintf(it->key, sizeof(it->key), "%s", key);
		snprintf(it->detail, sizeof(it->detail), "%s", detail);
	}
	x->score += weight;
}

static const struct {
	const char *key;
	double weight;
	bool warn;
	const char *detail;
} weights[] = {
	{ "network.client", 0.8, false, "may connect anywhere on the network" },
	{ "network.server", 1.0, false, "may listen on any port" },
	{ "files.user-selected.read-only", 0.1, false, "reads what the user grants" },
	{ "files.user-selected.read-write", 0.3, false, "writes what the user grants" },
	{ "files.user-selected.executable", 0.5, false, "executes what the user grants" },
	{ "files.downloads.read-only", 0.2, false, "reads Downloads" },
	{ "files.downloads.read-write", 0.4, false, "writes Downloads" },
	{ "files.pictures.read-only", 0.2, false, "reads Pictures" },
	{ "files.pictures.read-write", 0.4, false, "writes Pictures" },
	{ "files.music.read-only", 0.2, false, "reads Music" },
	{ "files.music.read-write", 0.4, false, "writes Music" },
	{ "files.movies.read-only", 0.2, false, "reads Videos" },
	{ "files.movies.read-write", 0.4, false, "writes Videos" },
	{ "device.camera", 0.6, false, "sees through the camera" },
	{ "device.audio-input", 0.6, false, "hears through the microphone" },
	{ "device.microphone", 0.6, false, "hears through the microphone" },
	{ "device.usb", 0.8, false, "talks to raw USB devices" },
	{ "device.bluetooth", 0.5, false, "opens Bluetooth sockets" },
	{ "device.serial", 0.4, false, "opens serial ports" },
	{ "print", 0.2, false, "talks to the print server" },
	{ "sbx.io-uring", 1.0, false, "io_uring: operations seccomp cannot see" },
	{ "sbx.aio", 0.3, false, "Linux AIO: read flags seccomp cannot see (page cache probes)" },
	{ "cs.allow-jit", 0.5, false, "writable+executable memory (JIT)" },
	{ "cs.allow-unsigned-executable-memory", 1.0, false, "turns data into code (W->X)" },
	{ "cs.allow-dyld-environment-variables", 1.0, false,
	  "LD_PRELOAD and friends reach the program" },
	{ "cs.disable-library-validation", 1.0, false, "loads libraries of any signer" },
	{ "cs.disable-executable-page-protection", 1.5, true, "no memory protection at all" },
	{ "cs.debugger", 2.0, true, "may debug and read other processes" },
	{ "get-task-allow", 0.7, false, "may be debugged (core dumps, ptrace by others)" },
};

static void paths(struct sbx_exposure *x, const struct sbx_profile *p, const char *key, bool write,
		  bool home)
{
	const struct sbx_entitlement *e = sbx_profile_get(p, key);
	char detail[192];

	for (size_t i = 0; e && i < e->n_list; i++) {
		const char *path = e->list[i];
		bool root = !home && !strcmp(path, "/");
		bool whole_home = home && !strcmp(path, "/");
		bool broad = root || whole_home ||
			     (!home && (!strcmp(path, "/home") || !strcmp(path, "/etc") ||
					!strcmp(path, "/root")));

		snprintf(detail, sizeof(detail), "%s %s%s", write ? "writes" : "reads",
			 home ? "$HOME" : "", path);
		if (broad)
			add(x, root ? (write ? 4.0 : 2.5) : (write ? 3.0 : 2.0), key, detail, true);
		else
			add(x, write ? 0.5 : 0.2, key, detail, false);
	}
}

void sbx_profile_exposure(const struct sbx_profile *p, struct sbx_exposure *x)
{
	memset(x, 0, sizeof(*x));
	if (!sbx_profile_entitled(p, "app-sandbox")) {
		add(x, 6.0, "app-sandbox", "no App Sandbox: files and network unrestricted", false);
	} else if (sbx_profile_entitled(p, "inherit")) {
		add(x, 0.0, "inherit", "as confined as its sandboxed parent", false);
	}
	for (size_t i = 0; i < sizeof(weights) / sizeof(weights[0]); i++)
		if (sbx_profile_entitled(p, weights[i].key))
			add(x, weights[i].weight, weights[i].key, weights[i].detail,
			    weights[i].warn);
	paths(x, p, "temporary-exception.files.absolute-path.read-only", false, false);
	paths(x, p, "temporary-exception.files.absolute-path.read-write", true, false);
	paths(x, p, "temporary-exception.files.home-relative-path.read-only", false, true);
	paths(x, p, "temporary-exception.files.home-relative-path.read-write", true, true);
	if (x->score > 10.0)
		x->score = 10.0;
	/* Heaviest first: stable for equal weights (insertion order). */
	for (size_t i = 1; i < x->n; i++) {
		struct sbx_exposure_item it = x->items[i];
		size_t k = i;

		for (; k > 0 && x->items[k - 1].weight < it.weight; k--)
			x->items[k] = x->items[k - 1];
		x->items[k] = it;
	}
}

const char *sbx_exposure_rating(double score)
{
	return score < 1.0   ? "OK"
	       : score < 3.0 ? "LOW"
	       : score < 6.0 ? "MEDIUM"
	       : score < 9.0 ? "EXPOSED"
			     : "UNSAFE";
}
