#!/bin/sh
# palette-tailscale first-boot enrollment: join this Kairos/Palette edge host to the tailnet.
#
# Installed by the rendered user-data and run from a `network.after` step on every boot. It must
# be safe to run any number of times and must always finish within PT_DEADLINE (plus a few
# seconds): Kairos stages have no timeout, so a hanging step would hold the boot. Where systemd
# runs, the step only hands the enrollment to a transient unit (palette-tailscale-enroll.service)
# and returns at once; elsewhere it enrolls inline. Only the first copy of the step in a boot
# does anything (installer and site user-data both carry one): a lock under PT_LOCK_DIR.
#
# Interface (environment; a variable set in the environment wins over the settings files):
#   PT_CONFIG         settings file            /usr/local/etc/palette-tailscale/enroll.env
#   PT_HOST_CONFIG    per-host settings file   /usr/local/etc/palette-tailscale/host.env
#   PT_TAILSCALE      tailscale CLI            tailscale
#   PT_SYSTEMCTL      systemctl                systemctl
#   PT_RUN_DIR        Kairos *_mode markers    /run/cos
#   PT_HOSTNAME       device name              (settings; else the OS hostname, never localhost)
#   PT_AUTH_KEY_FILE  auth key file (0600)     /usr/local/etc/palette-tailscale/authkey
#   PT_UP_ARGS        further `tailscale up` flags, split on blanks
#   PT_DEADLINE       seconds for the whole run, retries included   300
#   PT_UP_TIMEOUT     seconds for each `tailscale up` try            60
#   PT_LOG            log file                 /var/log/palette-tailscale.log
#   PT_LOCK_DIR       once-per-boot lock       /run/palette-tailscale
#   PT_SYSTEMD_DIR    present when systemd runs            /run/systemd/system
#   PT_SYSTEMD_RUN    systemd-run, for the hand-off        systemd-run
#   PT_KEY_COPIES     folders whose user-data copies lose the key after the join
#                                              /oem /run/stylus
#
# Exit codes: 0 logged in (or skipped: not an installed system, another copy ran this boot, or
# handed to systemd); 1 not logged in when the deadline passed; 2 bad settings (hostname,
# numbers, missing or too old CLI); 3 login needed but no usable key in the key file; 4 the
# control server refused the login (key invalid, expired, used or not an auth key; tags not
# permitted).
#
# The user-data renders this file through Go text/template (yip), so it must never contain two
# opening braces in a row.

# `set -e` is deliberately off: every failure is handled and logged where it happens.
set -u
set -f             # PT_UP_ARGS is split on blanks; never glob-expand it
umask 077
LC_ALL=C           # fixed character classes for the hostname check and sed
export LC_ALL

PT_VARS="PT_CONFIG PT_HOST_CONFIG PT_TAILSCALE PT_SYSTEMCTL PT_RUN_DIR PT_HOSTNAME \
PT_AUTH_KEY_FILE PT_UP_ARGS PT_DEADLINE PT_UP_TIMEOUT PT_LOG PT_LOCK_DIR PT_SYSTEMD_DIR \
PT_SYSTEMD_RUN PT_KEY_COPIES"

BACKOFF_MAX=30     # longest pause between two `tailscale up` tries
SETTLE=10          # seconds NoState may last after the daemon answers before we log in anyway
STATUS_TIMEOUT=10  # bound for one `tailscale status` call
UNIT=palette-tailscale-enroll   # the transient systemd unit the enrollment runs in
UNIT_SLACK=30      # the unit's TimeoutStartSec is PT_DEADLINE plus this
# The oldest tailscale this script drives: a key file (file:PATH) since 1.16, the auth-key flag
# under its current name since 1.22, the timeout flag since 1.26.
MIN_MAJOR=1
MIN_MINOR=26
# What replaces every copy of the key once the node is logged in. Written to the key file by a
# later run of a scrubbed site user-data copy, it tells this script the key was used up.
USED_MARK=palette-tailscale-removed-the-used-key

# --- logging ---------------------------------------------------------------------------------

# log MESSAGE...: timestamped to stderr and PT_LOG, and to the journal when `logger` exists.
# Callers never pass the key: the script does not read it, only its file name.
log() {
    pt_line="$(date -u +%Y-%m-%dT%H:%M:%SZ) palette-tailscale: $*"
    printf '%s\n' "$pt_line" >&2
    # A read-only or missing log location must not stop the enrollment, nor fill stderr.
    if [ -n "$PT_LOG" ]; then
        { printf '%s\n' "$pt_line" >>"$PT_LOG"; } 2>/dev/null
    fi
    # Inside the systemd unit stderr already goes to the journal, under the unit's name.
    if [ "${PT_DETACHED:-}" != 1 ] && command -v logger >/dev/null 2>&1; then
        logger -t palette-tailscale -- "$*" >/dev/null 2>&1
    fi
    return 0
}

# log_output PREFIX TEXT: log each line of a command's output, with anything key-shaped removed.
log_output() {
    printf '%s\n' "$2" | scrub | while IFS= read -r pt_out; do
        [ -n "$pt_out" ] && log "$1: $pt_out"
    done
}

# scrub: a filter dropping auth keys from tailscale's messages. tskey-/hskey- tokens are masked;
# lines containing the key file's text are dropped (grep -f reads the key from the file, so it
# never appears on a command line).
scrub() {
    if [ -s "$PT_AUTH_KEY_FILE" ] && [ -r "$PT_AUTH_KEY_FILE" ]; then
        sed -e 's/[th]skey-[A-Za-z0-9_-]*/[redacted]/g' | grep -v -F -f "$PT_AUTH_KEY_FILE"
    else
        sed -e 's/[th]skey-[A-Za-z0-9_-]*/[redacted]/g'
    fi
}

open_log() {
    case $PT_LOG in
        */*) mkdir -p "${PT_LOG%/*}" 2>/dev/null ;;
    esac
}

# --- settings --------------------------------------------------------------------------------

# Remember which PT_* variables the environment set, so the settings files cannot override them.
save_environment() {
    for pt_name in $PT_VARS; do
        if eval "[ \"\${$pt_name+set}\" = set ]"; then
            eval "pt_env_$pt_name=\$$pt_name"
            eval "pt_has_$pt_name=1"
        else
            eval "pt_has_$pt_name=0"
        fi
    done
}

restore_environment() {
    for pt_name in $PT_VARS; do
        if eval "[ \"\$pt_has_$pt_name\" = 1 ]"; then
            eval "$pt_name=\$pt_env_$pt_name"
        fi
    done
}

# source_settings FILE: read a NAME='value' file. A broken file is reported, not fatal to the
# shell: it is tried in a subshell first, because `.` on a syntax error would end the script.
source_settings() {
    [ -f "$1" ] || return 0
    case $1 in
        */*) pt_file=$1 ;;
        *) pt_file=./$1 ;;  # `.` searches PATH for a bare name
    esac
    # shellcheck source=/dev/null
    if ! (. "$pt_file") >/dev/null 2>&1; then
        log "settings file $1 cannot be read or is not valid sh; fix or remove it"
        exit 2
    fi
    # shellcheck source=/dev/null
    . "$pt_file"
}

load_settings() {
    save_environment
    : "${PT_CONFIG=/usr/local/etc/palette-tailscale/enroll.env}"
    : "${PT_HOST_CONFIG=/usr/local/etc/palette-tailscale/host.env}"
    : "${PT_LOG:=/var/log/palette-tailscale.log}"
    pt_config=$PT_CONFIG
    pt_host_config=$PT_HOST_CONFIG
    open_log
    source_settings "$pt_config"
    source_settings "$pt_host_config"
    restore_environment
    : "${PT_TAILSCALE:=tailscale}"
    : "${PT_SYSTEMCTL:=systemctl}"
    : "${PT_RUN_DIR:=/run/cos}"
    : "${PT_HOSTNAME=}"
    : "${PT_AUTH_KEY_FILE:=/usr/local/etc/palette-tailscale/authkey}"
    : "${PT_UP_ARGS=}"
    : "${PT_DEADLINE:=300}"
    : "${PT_UP_TIMEOUT:=60}"
    : "${PT_LOG:=/var/log/palette-tailscale.log}"
    : "${PT_LOCK_DIR:=/run/palette-tailscale}"
    : "${PT_SYSTEMD_DIR:=/run/systemd/system}"
    : "${PT_SYSTEMD_RUN:=systemd-run}"
    : "${PT_KEY_COPIES=/oem /run/stylus}"
    open_log
}

# seconds NAME VALUE: print VALUE as a plain decimal (leading zeros dropped: sh arithmetic would
# read 010 as octal), or fail with a clear message.
seconds() {
    case $2 in
        '' | *[!0-9]*)
            log "$1 must be a whole number of seconds, got '$2'"
            exit 2
            ;;
    esac
    if [ "${#2}" -gt 6 ]; then
        log "$1 is too large: '$2' seconds"
        exit 2
    fi
    pt_n=${2#"${2%%[!0]*}"}
    printf '%s\n' "${pt_n:-0}"
}

# --- time ------------------------------------------------------------------------------------

now() { date +%s; }

remaining() { echo $((pt_end - $(now))); }

min() { if [ "$1" -lt "$2" ]; then echo "$1"; else echo "$2"; fi; }

# pause SECONDS: sleep, but never past the deadline.
pause() {
    pt_left=$(remaining)
    [ "$pt_left" -gt 0 ] || return 0
    sleep "$(min "$1" "$pt_left")"
}

# --- bounded commands ------------------------------------------------------------------------

# probe_timeout: prefer coreutils/busybox `timeout`; try it once, because old busybox spells
# its options differently.
probe_timeout() {
    if command -v timeout >/dev/null 2>&1 && timeout -k 1 5 true >/dev/null 2>&1; then
        pt_have_timeout=1
    else
        pt_have_timeout=0
    fi
}

# bounded SECONDS COMMAND...: run COMMAND, terminating it after SECONDS (killing it one second
# later if it ignores that). Without `timeout`, a watchdog subshell does the same.
bounded() {
    pt_limit=$1
    shift
    if [ "$pt_have_timeout" = 1 ]; then
        timeout -k 1 "$pt_limit" "$@"
        return
    fi
    "$@" &
    pt_pid=$!
    # The watchdog's output goes nowhere, so a caller capturing "$@"'s output does not wait for it.
    (
        sleep "$pt_limit"
        kill -TERM "$pt_pid" 2>/dev/null || exit 0
        sleep 1
        kill -KILL "$pt_pid" 2>/dev/null
    ) >/dev/null 2>&1 </dev/null &
    pt_watchdog=$!
    wait "$pt_pid"
    pt_rc=$?
    kill "$pt_watchdog" 2>/dev/null
    return "$pt_rc"
}

# --- tailscale -------------------------------------------------------------------------------

# status_json: `tailscale status --json` on one line, or nothing when the daemon does not
# answer. There is no jq on the device: the JSON (pretty-printed or not) is joined into one line
# and the values are cut out with sed.
status_json() {
    pt_left=$(remaining)
    [ "$pt_left" -gt 0 ] || return 0
    pt_out=$(bounded "$(min "$STATUS_TIMEOUT" "$pt_left")" \
        "$PT_TAILSCALE" status --json --peers=false 2>/dev/null) || return 0
    printf '%s\n' "$pt_out" | tr -d '\r\n'
}

# state_of JSON: its BackendState.
state_of() {
    printf '%s\n' "$1" |
        sed -n 's/^.*"BackendState"[[:space:]]*:[[:space:]]*"\([A-Za-z]*\)".*$/\1/p'
}

# health_of JSON: its Health messages, one line (where tailscaled says why it is not logged in,
# for instance "The last login error was: ... connection refused").
health_of() {
    printf '%s\n' "$1" |
        sed -n 's/^.*"Health"[[:space:]]*:[[:space:]]*\[\([^]]*\)\].*$/\1/p' |
        sed -e 's/^[[:space:]]*"//' -e 's/"[[:space:]]*$//' -e 's/"[[:space:]]*,[[:space:]]*"/; /g' \
            -e 's/\\"/"/g'
}


# start_daemon: ask systemd to start tailscaled without waiting for it (we poll status instead,
# within our own deadline).
start_daemon() {
    pt_left=$(remaining)
    [ "$pt_left" -gt 0 ] || return 0
    log "starting tailscaled: $PT_SYSTEMCTL --no-block start tailscaled"
    if ! pt_out=$(bounded "$(min 10 "$pt_left")" "$PT_SYSTEMCTL" --no-block start tailscaled 2>&1); then
        log "could not start tailscaled (will keep polling until the deadline)"
        log_output systemctl "$pt_out"
    fi
}

# resolve_hostname: the name to register. PT_HOSTNAME, else the OS hostname's first label; never
# `localhost`, which Tailscale turns into a new `localhost-N` device on every enrollment.
resolve_hostname() {
    pt_host=$PT_HOSTNAME
    if [ -z "$pt_host" ]; then
        pt_host=$(hostname 2>/dev/null) || pt_host=
        if [ -z "$pt_host" ] && [ -r /proc/sys/kernel/hostname ]; then
            pt_host=$(cat /proc/sys/kernel/hostname)
        fi
        pt_host=${pt_host%%.*}
        pt_from="the OS hostname"
    else
        pt_from="PT_HOSTNAME"
    fi
    pt_host=$(printf '%s' "$pt_host" | tr '[:upper:]' '[:lower:]')
    case $pt_host in
        '' | localhost | localhost[.-]*)
            log "no device name: $pt_from is '$pt_host', which would register as" \
                "localhost-N; set PT_HOSTNAME (tailscale.hostname / hosts[].name in the config)"
            exit 2
            ;;
        -* | *- | *[!a-z0-9-]*)
            log "$pt_from '$pt_host' is not a DNS label (a-z, 0-9, inner '-', at most 63)"
            exit 2
            ;;
    esac
    if [ "${#pt_host}" -gt 63 ]; then
        log "$pt_from '$pt_host' is longer than 63 characters"
        exit 2
    fi
    pt_hostname=$pt_host
}

# has_key: the key file exists and holds something besides blanks (tailscale trims it, so a
# blank file is no key). grep -q reads it without printing it.
has_key() {
    [ -r "$PT_AUTH_KEY_FILE" ] && grep -q '[^[:space:]]' "$PT_AUTH_KEY_FILE" 2>/dev/null
}

# used_key: the key file holds the mark this script leaves where a used key was.
used_key() {
    [ -r "$PT_AUTH_KEY_FILE" ] && grep -q -x "[[:space:]]*${USED_MARK}[[:space:]]*" \
        "$PT_AUTH_KEY_FILE" 2>/dev/null
}

# refused TEXT: the control server turned the login down for good: a key that is invalid,
# expired or used, not an auth key at all (an API key or OAuth client secret), or tags the key
# may not carry. Trying again in this boot cannot help.
refused() {
    case $1 in
        *"invalid key"* | *"invalid authkey"* | *"authkey expired"* | *"authkey already used"* | \
            *"auth-key"* | *"invalid or not permitted"* | *"key expired"* | \
            *"already been used"* | *"key has expired"* | *"cannot be used for node auth"*)
            return 0
            ;;
    esac
    return 1
}

# login: one `tailscale up` with the key file, bounded by PT_UP_TIMEOUT and the time left. Its
# own --timeout should end it; the outer bound (a second later) catches an `up` that hangs anyway.
login() {
    [ -n "${pt_hostname:-}" ] || resolve_hostname
    if used_key; then
        log "login needed, but the key this host was given was used and removed after an" \
            "earlier join (the node's state is gone); write a fresh key to $PT_AUTH_KEY_FILE" \
            "or give the host a new site medium, and run again"
        exit 3
    fi
    if ! has_key; then
        log "login needed but the auth key file $PT_AUTH_KEY_FILE is missing or empty;" \
            "nothing to log in with (write a fresh key there and run again)"
        exit 3
    fi
    pt_left=$(remaining)
    [ "$pt_left" -gt 0 ] || return 1
    pt_try=$(min "$PT_UP_TIMEOUT" "$pt_left")
    pt_attempt=$((pt_attempt + 1))
    # PT_UP_ARGS is a list of flags: split on blanks on purpose (globbing is off).
    log "try $pt_attempt: $PT_TAILSCALE up --auth-key=file:$PT_AUTH_KEY_FILE" \
        "--hostname=$pt_hostname --timeout=${pt_try}s $PT_UP_ARGS"
    # shellcheck disable=SC2086
    pt_out=$(bounded $((pt_try + 1)) "$PT_TAILSCALE" up "--auth-key=file:$PT_AUTH_KEY_FILE" \
        "--hostname=$pt_hostname" "--timeout=${pt_try}s" $PT_UP_ARGS 2>&1)
    pt_rc=$?
    log_output "tailscale up" "$pt_out"
    if [ "$pt_rc" -eq 0 ]; then
        log "tailscale up succeeded"
        return 0
    fi
    log "tailscale up failed (exit $pt_rc)"
    refused "$pt_out" && pt_refused=1
    if timed_out "$pt_rc" "$pt_out"; then
        # tailscaled has not given up: it goes on logging in with the key by itself. Starting
        # the login again would race it, and a single-use key spent by the first login would
        # then be refused to the second ("already used"), leaving the node logged out.
        pt_inflight=1
        log "tailscaled goes on logging in by itself; watching it until the deadline" \
            "instead of starting the login again"
    fi
    return 1
}

# timed_out RC OUTPUT: `tailscale up` only stopped waiting (its --timeout, or our bound).
timed_out() {
    case $1 in
        124 | 137 | 143) return 0 ;;
    esac
    case $2 in
        *"timeout waiting for Tailscale service"*) return 0 ;;
    esac
    return 1
}

# watch: a login is under way in tailscaled; say what it reports when that changes.
watch() {
    pt_health=$(health_of "$pt_json" | scrub)
    if [ "$pt_health" != "$pt_last_health" ]; then
        [ -n "$pt_health" ] && log "tailscaled: $pt_health"
        pt_last_health=$pt_health
    fi
    pause 1
}

# --- outcomes --------------------------------------------------------------------------------

# logged_in STATE: the node has its identity; the key is never needed again, so remove it.
logged_in() {
    case $1 in
        Running) log "logged in (BackendState Running)" ;;
        Starting) log "logged in, connecting (BackendState Starting)" ;;
        NeedsMachineAuth) log "logged in, waiting for approval in the admin console" ;;
        Stopped) log "logged in but stopped by 'tailscale down'; leaving it as it is" ;;
    esac
    forget_copies
    if [ -e "$PT_AUTH_KEY_FILE" ]; then
        if rm -f "$PT_AUTH_KEY_FILE" 2>/dev/null; then
            log "deleted the auth key file $PT_AUTH_KEY_FILE"
        else
            log "could not delete the auth key file $PT_AUTH_KEY_FILE"
        fi
    fi
    exit 0
}

# forget_copies: the key is used up once the node is logged in; remove it from every copy of
# the user-data that the host keeps (Kairos's cdrom datasource writes a site medium's user-data
# to /oem/95_userdata with mode 0644 and runs it at every boot; Palette keeps user-data in
# /oem/userdata or /run/stylus/userdata). Each copy is rewritten atomically with the key
# replaced by USED_MARK, so it stays valid YAML. The key is read into a variable for this only:
# it never reaches a command line (grep reads it from a 0600 pattern file) or a log.
forget_copies() {
    [ -n "$PT_KEY_COPIES" ] && [ -r "$PT_AUTH_KEY_FILE" ] || return 0
    pt_key=$(tr -d '[:space:]' <"$PT_AUTH_KEY_FILE" 2>/dev/null) || return 0
    [ -n "$pt_key" ] && [ "$pt_key" != "$USED_MARK" ] || return 0
    mkdir -p "$PT_LOCK_DIR" 2>/dev/null
    pt_pattern=$PT_LOCK_DIR/key-pattern.$$
    if ! printf '%s\n' "$pt_key" >"$pt_pattern" 2>/dev/null; then
        log "cannot write to $PT_LOCK_DIR; copies of the key in $PT_KEY_COPIES were not checked"
        return 0
    fi
    # shellcheck disable=SC2086
    grep -r -l -F -f "$pt_pattern" $PT_KEY_COPIES 2>/dev/null | while IFS= read -r pt_copy; do
        case $pt_copy in
            *.yaml | *.yml | */userdata | */user-data) scrub_copy "$pt_copy" ;;
            *) log "$pt_copy holds the used auth key but is not user-data; left as it is" ;;
        esac
    done
    rm -f "$pt_pattern"
    pt_key=
}

# scrub_copy FILE: FILE rewritten (same mode and owner) with every pt_key replaced by USED_MARK.
scrub_copy() {
    pt_tmp=$1.palette-tailscale-$$
    if cp -p "$1" "$pt_tmp" 2>/dev/null && replace_key <"$1" >"$pt_tmp" &&
        mv -f "$pt_tmp" "$1" 2>/dev/null; then
        log "removed the used auth key from $1"
    else
        rm -f "$pt_tmp" 2>/dev/null
        log "could not remove the used auth key from $1"
    fi
}

replace_key() {
    while IFS= read -r pt_line || [ -n "$pt_line" ]; do
        while :; do
            case $pt_line in
                *"$pt_key"*) pt_line=${pt_line%%"$pt_key"*}$USED_MARK${pt_line#*"$pt_key"} ;;
                *) break ;;
            esac
        done
        printf '%s\n' "$pt_line"
    done
}

give_up() {
    pt_health=$(health_of "$pt_json" | scrub)
    log "not logged in after ${PT_DEADLINE}s; giving up until the next boot" \
        "(the key file is kept for that)${pt_health:+; tailscaled says: $pt_health}"
    exit 1
}

is_logged_in() {
    case $1 in
        Running | Starting | NeedsMachineAuth | Stopped) return 0 ;;
    esac
    return 1
}

# login_and_confirm: one login try, then a fresh status at once: `up` may have logged in even
# when it failed (it times out waiting for approval of a key that is not pre-authorized).
login_and_confirm() {
    if login; then
        pt_ok=1
    else
        pt_ok=0
    fi
    pt_json=$(status_json)
    pt_state=$(state_of "$pt_json")
    is_logged_in "$pt_state" && logged_in "$pt_state"
    if [ "$pt_refused" = 1 ]; then
        log "the control server refused this login (see above); not retrying in this boot," \
            "since a refused key or tag does not start working by itself: give the host a" \
            "fresh key (palette-tailscale fleet provision --rotate) or fix the tags"
        exit 4
    fi
    if [ "$pt_ok" = 1 ]; then
        log "tailscale up exited 0 but BackendState is '${pt_state:-no answer}'"
    fi
    pause "$pt_backoff"
    pt_backoff=$(min $((pt_backoff * 2)) "$BACKOFF_MAX")
}

# --- main ------------------------------------------------------------------------------------

installed_system() {
    [ -f "$PT_RUN_DIR/active_mode" ] || [ -f "$PT_RUN_DIR/passive_mode" ]
}

# claim_boot: only the first copy of the step in a boot enrolls. mkdir is atomic, and PT_LOCK_DIR
# is on a tmpfs, so the lock is gone at the next boot. A copy that finds it exits 0.
claim_boot() {
    [ "${PT_DETACHED:-}" = 1 ] && return 0  # the copy that handed us to systemd holds it
    mkdir -p "$PT_LOCK_DIR" 2>/dev/null
    if mkdir "$PT_LOCK_DIR/claimed" 2>/dev/null; then
        return 0
    fi
    if [ -d "$PT_LOCK_DIR/claimed" ]; then
        log "another copy of the enrollment step already ran or is running in this boot" \
            "($PT_LOCK_DIR/claimed exists); nothing to do"
        exit 0
    fi
    log "cannot take the once-per-boot lock in $PT_LOCK_DIR; going on without it"
}

# hand_off: where systemd runs, start this script again as a transient unit and return at once,
# so the network stage (a oneshot unit without a start timeout) is never held. The unit keeps
# the deadline (TimeoutStartSec), the exit code and the log: journalctl -u palette-tailscale-enroll.
hand_off() {
    [ "${PT_DETACHED:-}" = 1 ] && return 1
    [ -d "$PT_SYSTEMD_DIR" ] || return 1
    command -v "$PT_SYSTEMD_RUN" >/dev/null 2>&1 || return 1
    case $0 in
        /*) pt_self=$0 ;;
        *) pt_self=$(pwd)/$0 ;;
    esac
    set -- --no-block "--unit=$UNIT" "--description=palette-tailscale: join the tailnet" \
        --property=Type=oneshot --property=RemainAfterExit=yes \
        "--property=TimeoutStartSec=$((PT_DEADLINE + UNIT_SLACK))" --setenv=PT_DETACHED=1
    for pt_name in $PT_VARS; do
        if eval "[ \"\$pt_has_$pt_name\" = 1 ]"; then
            eval "set -- \"\$@\" \"--setenv=$pt_name=\$pt_env_$pt_name\""
        fi
    done
    pt_left=$(remaining)
    [ "$pt_left" -gt 0 ] || return 1
    if pt_out=$(bounded "$(min 10 "$pt_left")" "$PT_SYSTEMD_RUN" "$@" /bin/sh "$pt_self" 2>&1); then
        log "handed to systemd as $UNIT.service (at most $((PT_DEADLINE + UNIT_SLACK))s);" \
            "follow it with: journalctl -u $UNIT"
        exit 0
    fi
    log "systemd-run failed; enrolling inline instead"
    log_output systemd-run "$pt_out"
    return 1
}

# check_version: refuse a tailscale CLI older than MIN_MAJOR.MIN_MINOR (its `up` would reject
# the flags this script passes). A version that cannot be read is let through.
check_version() {
    pt_left=$(remaining)
    [ "$pt_left" -gt 0 ] || return 0
    pt_out=$(bounded "$(min 10 "$pt_left")" "$PT_TAILSCALE" version 2>/dev/null) || pt_out=
    pt_version=$(printf '%s\n' "$pt_out" | sed -n '1s/^\([0-9][0-9]*\.[0-9][0-9]*\).*$/\1/p')
    if [ -z "$pt_version" ]; then
        log "cannot read the version of '$PT_TAILSCALE'; going on"
        return 0
    fi
    pt_major=$(seconds "tailscale major version" "${pt_version%%.*}") || exit 2
    pt_minor=$(seconds "tailscale minor version" "${pt_version#*.}") || exit 2
    if [ "$pt_major" -lt "$MIN_MAJOR" ] ||
        { [ "$pt_major" -eq "$MIN_MAJOR" ] && [ "$pt_minor" -lt "$MIN_MINOR" ]; }; then
        log "tailscale $pt_version is older than $MIN_MAJOR.$MIN_MINOR, the oldest release this" \
            "script supports (a key file needs 1.16, the auth-key flag 1.22, the timeout" \
            "flag 1.26); install a newer Tailscale in the image"
        exit 2
    fi
}

# step: look at the backend once and do what its state calls for.
step() {
    pt_json=$(status_json)
    pt_state=$(state_of "$pt_json")
    if [ "$pt_state" != "$pt_last_state" ]; then
        log "BackendState: ${pt_state:-no answer from tailscaled}"
        pt_last_state=$pt_state
    fi
    case $pt_state in
        Running | Starting | NeedsMachineAuth | Stopped)
            logged_in "$pt_state"
            ;;
        NeedsLogin)
            if [ "$pt_inflight" = 1 ]; then
                watch
            else
                login_and_confirm
            fi
            ;;
        NoState)
            pt_inflight=0  # a (re)started daemon: no login is under way any more
            # A fresh daemon says NoState briefly before NeedsLogin; log in once it lingers.
            : "${pt_nostate_since:=$(now)}"
            if [ $(($(now) - pt_nostate_since)) -ge "$SETTLE" ]; then
                login_and_confirm
            else
                pause 1
            fi
            ;;
        '')
            pt_inflight=0
            if [ "$pt_started" = 0 ]; then
                start_daemon
                pt_started=1
            fi
            pause 1
            ;;
        *)
            pause 1
            ;;
    esac
}

main() {
    load_settings
    if ! installed_system; then
        log "not an installed system (no active_mode or passive_mode in $PT_RUN_DIR:" \
            "live installer, recovery or reset); skipping"
        exit 0
    fi
    PT_DEADLINE=$(seconds PT_DEADLINE "$PT_DEADLINE") || exit 2
    PT_UP_TIMEOUT=$(seconds PT_UP_TIMEOUT "$PT_UP_TIMEOUT") || exit 2
    # The deadline counts from here: a hand-off or a version check that hangs is within it.
    pt_end=$(($(now) + PT_DEADLINE))
    claim_boot
    probe_timeout
    hand_off
    if ! command -v "$PT_TAILSCALE" >/dev/null 2>&1; then
        log "tailscale CLI '$PT_TAILSCALE' not found; is Tailscale in the image?"
        exit 2
    fi
    check_version
    pt_attempt=0
    pt_refused=0
    pt_inflight=0
    pt_json=
    pt_last_health=
    pt_backoff=1
    pt_started=0
    pt_nostate_since=
    pt_last_state=-
    log "starting (deadline ${PT_DEADLINE}s)"
    while [ "$(remaining)" -gt 0 ]; do
        step
    done
    give_up
}

main "$@"
