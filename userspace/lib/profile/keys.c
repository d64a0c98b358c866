// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The entitlement key table: every key sbx knows, its value type and what it means on
 * Linux. profiles/README.md is the long form of this table; keep the two in step.
 */
#include <string.h>

#include "profile/profile_internal.h"

#define B SBX_VALUE_BOOL
#define L SBX_VALUE_LIST

static const struct sbx_key_info keys[] = {
	{ "app-sandbox", B, SBX_KEY_SANDBOX,
	  "default-deny file system (Landlock), no network, container directory", false },
	{ "files.user-selected.read-only", B, SBX_KEY_SANDBOX,
	  "read the paths granted with sbx run --grant PATH", false },
	{ "files.user-selected.read-write", B, SBX_KEY_SANDBOX,
	  "read and write the paths granted with sbx run --grant PATH:rw", false },
	{ "files.user-selected.executable", B, SBX_KEY_SANDBOX,
	  "execute the files granted with sbx run --grant", false },
	{ "files.downloads.read-only", B, SBX_KEY_SANDBOX, "read the XDG download directory",
	  false },
	{ "files.downloads.read-write", B, SBX_KEY_SANDBOX,
	  "read and write the XDG download directory", false },
	{ "files.pictures.read-only", B, SBX_KEY_SANDBOX, "read the XDG pictures directory",
	  false },
	{ "files.pictures.read-write", B, SBX_KEY_SANDBOX,
	  "read and write the XDG pictures directory", false },
	{ "files.music.read-only", B, SBX_KEY_SANDBOX, "read the XDG music directory", false },
	{ "files.music.read-write", B, SBX_KEY_SANDBOX, "read and write the XDG music directory",
	  false },
	{ "files.movies.read-only", B, SBX_KEY_SANDBOX, "read the XDG videos directory", false },
	{ "files.movies.read-write", B, SBX_KEY_SANDBOX, "read and write the XDG videos directory",
	  false },
	{ "temporary-exception.files.absolute-path.read-only", L, SBX_KEY_SANDBOX,
	  "read the listed absolute paths", false },
	{ "temporary-exception.files.absolute-path.read-write", L, SBX_KEY_SANDBOX,
	  "read and write the listed absolute paths", false },
	{ "temporary-exception.files.home-relative-path.read-only", L, SBX_KEY_SANDBOX,
	  "read the listed paths under $HOME", false },
	{ "temporary-exception.files.home-relative-path.read-write", L, SBX_KEY_SANDBOX,
	  "read and write the listed paths under $HOME", false },
	{ "network.client", B, SBX_KEY_SANDBOX, "outgoing TCP connections and UDP, any port",
	  true },
	{ "network.server", B, SBX_KEY_SANDBOX, "bind TCP and UDP ports (listen)", true },
	{ "device.camera", B, SBX_KEY_SANDBOX, "video capture devices (/dev/video*, /dev/media*)",
	  false },
	{ "device.audio-input", B, SBX_KEY_SANDBOX, "sound devices (/dev/snd) for recording",
	  false },
	{ "device.microphone", B, SBX_KEY_SANDBOX, "same as device.audio-input", false },
	{ "device.usb", B, SBX_KEY_SANDBOX, "raw USB devices (/dev/bus/usb)", false },
	{ "device.bluetooth", B, SBX_KEY_SANDBOX, "Bluetooth sockets (AF_BLUETOOTH), rfcomm",
	  false },
	{ "device.serial", B, SBX_KEY_SANDBOX, "serial ports (/dev/ttyS*, ttyUSB*, ttyACM*)",
	  false },
	{ "print", B, SBX_KEY_SANDBOX, "the CUPS socket (/run/cups/cups.sock)", false },
	{ "inherit", B, SBX_KEY_SANDBOX,
	  "run only inside the sandbox of the sandboxed parent (adds nothing)", false },
	{ "cs.allow-jit", B, SBX_KEY_RUNTIME, "writable+executable anonymous mappings (mmap)",
	  false },
	{ "cs.allow-unsigned-executable-memory", B, SBX_KEY_RUNTIME,
	  "allow-jit, plus mprotect to executable (W->X flips), no MDWE", false },
	{ "cs.allow-dyld-environment-variables", B, SBX_KEY_RUNTIME,
	  "pass the whole environment (LD_PRELOAD and all), not only the allow-list", false },
	{ "cs.disable-library-validation", B, SBX_KEY_RUNTIME,
	  "load libraries not signed by the same team (BPF mmap_file hook)", false },
	{ "cs.disable-executable-page-protection", B, SBX_KEY_RUNTIME,
	  "no memory protection rules at all (implies allow-unsigned-executable-memory)", false },
	{ "cs.debugger", B, SBX_KEY_RUNTIME, "ptrace and process_vm_readv/writev other processes",
	  false },
	{ "get-task-allow", B, SBX_KEY_RUNTIME, "be debuggable: dumpable, core files allowed",
	  false },
	{ "sbx.io-uring", B, SBX_KEY_SBX,
	  "io_uring (its operations bypass seccomp: Landlock still applies)", false },
	{ "sbx.aio", B, SBX_KEY_SBX,
	  "Linux AIO, io_submit (its iocbs' flags bypass seccomp: Landlock still applies)", false },
};

/* Apple keys that mean nothing on Linux: accepted, kept, and warned about. */
static const struct sbx_key_info apple_only[] = {
	{ "files.bookmarks.app-scope", B, SBX_KEY_APPLE_ONLY, "security-scoped bookmarks", false },
	{ "files.bookmarks.document-scope", B, SBX_KEY_APPLE_ONLY, "security-scoped bookmarks",
	  false },
	{ "files.all", B, SBX_KEY_APPLE_ONLY, "deprecated macOS key", false },
	{ "personal-information.location", B, SBX_KEY_APPLE_ONLY, "Location Services", false },
	{ "personal-information.addressbook", B, SBX_KEY_APPLE_ONLY, "Contacts", false },
	{ "personal-information.calendars", B, SBX_KEY_APPLE_ONLY, "Calendars", false },
	{ "personal-information.photos-library", B, SBX_KEY_APPLE_ONLY, "Photos library", false },
	{ "automation.apple-events", B, SBX_KEY_APPLE_ONLY, "Apple Events", false },
	{ "application-groups", L, SBX_KEY_APPLE_ONLY, "shared group containers", false },
	{ "smartcard", B, SBX_KEY_APPLE_ONLY, "CryptoTokenKit", false },
	{ "device.firewire", B, SBX_KEY_APPLE_ONLY, "FireWire", false },
	{ "device.audio-video-bridging", B, SBX_KEY_APPLE_ONLY, "AVB", false },
	{ "hypervisor", B, SBX_KEY_APPLE_ONLY, "Hypervisor.framework", false },
	{ "virtualization", B, SBX_KEY_APPLE_ONLY, "Virtualization.framework", false },
	{ "scripting-targets", L, SBX_KEY_APPLE_ONLY, "AppleScript targets", false },
	{ "temporary-exception.apple-events", L, SBX_KEY_APPLE_ONLY, "Apple Events", false },
	{ "temporary-exception.mach-lookup.global-name", L, SBX_KEY_APPLE_ONLY, "Mach services",
	  false },
	{ "temporary-exception.mach-register.global-name", L, SBX_KEY_APPLE_ONLY, "Mach services",
	  false },
	{ "temporary-exception.shared-preference.read-only", L, SBX_KEY_APPLE_ONLY,
	  "macOS preference domains", false },
	{ "temporary-exception.shared-preference.read-write", L, SBX_KEY_APPLE_ONLY,
	  "macOS preference domains", false },
	{ "temporary-exception.iokit-user-client-class", L, SBX_KEY_APPLE_ONLY, "IOKit", false },
	{ "temporary-exception.sbpl", L, SBX_KEY_APPLE_ONLY, "raw macOS sandbox profile", false },
};

/* Apple's spelling → sbx's one name for the same thing. */
static const struct {
	const char *apple, *name;
} aliases[] = {
	{ "assets.pictures.read-only", "files.pictures.read-only" },
	{ "assets.pictures.read-write", "files.pictures.read-write" },
	{ "assets.music.read-only", "files.music.read-only" },
	{ "assets.music.read-write", "files.music.read-write" },
	{ "assets.movies.read-only", "files.movies.read-only" },
	{ "assets.movies.read-write", "files.movies.read-write" },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const struct sbx_key_info *sbx_key_table(size_t *n)
{
	*n = ARRAY_SIZE(keys);
	return keys;
}

static const char *strip_prefix(const char *key)
{
	size_t n = strlen(SBX_APPLE_SECURITY_PREFIX);

	return strncmp(key, SBX_APPLE_SECURITY_PREFIX, n) ? key : key + n;
}

const struct sbx_key_info *sbx_key_lookup(const char *key)
{
	const char *name = strip_prefix(key);

	if (!strncmp(name, "sbx.", 4) && name != key)
		return NULL; /* sbx's own keys never take Apple's prefix */
	for (size_t i = 0; i < ARRAY_SIZE(aliases); i++)
		if (!strcmp(name, aliases[i].apple))
			name = aliases[i].name;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (!strcmp(name, keys[i].name))
			return &keys[i];
	for (size_t i = 0; i < ARRAY_SIZE(apple_only); i++)
		if (!strcmp(name, apple_only[i].name))
			return &apple_only[i];
	return NULL;
}

size_t profile_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[128];

	if (la >= ARRAY_SIZE(row) || lb >= ARRAY_SIZE(row))
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *sbx_key_suggest(const char *key)
{
	const char *name = strip_prefix(key);
	size_t best = (size_t)-1, limit = strlen(name) / 3 + 1;
	const char *found = NULL;

	if (limit > 4)
		limit = 4;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		size_t d = profile_edit_distance(name, keys[i].name);

		if (d < best) {
			best = d;
			found = keys[i].name;
		}
	}
	if (best > limit) {
		/* A unique key that ends the same way: "client" → "network.client". */
		found = NULL;
		for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
			size_t kl = strlen(keys[i].name), nl = strlen(name);

			if (nl < 3 || nl >= kl || keys[i].name[kl - nl - 1] != '.' ||
			    strcmp(keys[i].name + kl - nl, name))
				continue;
			if (found)
				return NULL;
			found = keys[i].name;
		}
	}
	return found;
}
