#!/usr/bin/env bash
# Builds the Debian package, checks what is in it, installs it with dpkg -i, checks the
# installed system (our logrotate -d on the system's own rules, units, man pages, diversions),
# purges it and checks that Debian's logrotate 3.21 is back, byte for byte, with the system's
# config and state untouched. Run as root on a Debian system with logrotate 3.21 installed.
#
# Usage: pkg/check-deb.sh [DEB]   (without DEB: `cargo deb -p logrotate` builds it)
#
# Whatever fails, the EXIT trap purges the package and puts Debian's logrotate back, so the
# differential tests (which use /usr/sbin/logrotate as the oracle) find it again. Ours is
# installed for a few seconds only.
set -euo pipefail
cd "$(dirname "$0")/.."

PKG=logrotate-rs
say() { printf '== %s\n' "$*"; }
die() { printf 'check-deb: FAIL: %s\n' "$*" >&2; exit 1; }
is_installed() { dpkg-query -W -f '${db:Status-Status}' "$PKG" 2>/dev/null | grep -qv '^not-installed$'; }
debian_version_line() { /usr/sbin/logrotate --version 2>&1 | head -1; }

[ "$(id -u)" = 0 ] || die "run as root (dpkg -i)"
dpkg -S /usr/sbin/logrotate 2>/dev/null | grep -qx 'logrotate: /usr/sbin/logrotate' \
    || die "/usr/sbin/logrotate is not Debian's logrotate package's: $(dpkg -S /usr/sbin/logrotate 2>&1)"
[ "$(debian_version_line)" = "logrotate 3.21.0" ] || die "expected logrotate 3.21.0, found '$(debian_version_line)'"
is_installed && die "$PKG is already installed; purge it first (dpkg --purge $PKG)"

# What must come back as it was: Debian's files, the system's rules and the state file.
watched=(/usr/sbin/logrotate /usr/share/man/man8/logrotate.8.gz /lib/systemd/system/logrotate.service
    /lib/systemd/system/logrotate.timer /etc/logrotate.conf /etc/cron.daily/logrotate)
snapshot() {
    {
        sha256sum "${watched[@]}" 2>&1
        find /etc/logrotate.d -type f -exec sha256sum {} + | sort
        # The state file's content may change if a cron run happens meanwhile; its
        # identity (inode) and the files next to it must not.
        stat -c '%n %i %U:%G %a' /var/lib/logrotate /var/lib/logrotate/status 2>&1
        ls -A /var/lib/logrotate
        dpkg-divert --list | grep -F "$PKG" || true
        dpkg --verify logrotate 2>&1 || true
        ls /etc/systemd/system/timers.target.wants/ /etc/systemd/system/multi-user.target.wants/ 2>/dev/null || true
    }
}
before=$(snapshot)

work=$(mktemp -d)
restore() {
    local rc=$?
    set +e
    if is_installed; then
        echo "check-deb: restoring: dpkg --purge $PKG"
        dpkg --purge "$PKG" >/dev/null
    fi
    # A package that failed half-way can leave diversions behind: undo them by hand.
    dpkg-divert --list | grep -F "by $PKG" | while read -r _ _ path _ to _; do
        echo "check-deb: restoring: removing diversion of $path"
        dpkg-divert --package "$PKG" --remove --rename --divert "$to" "$path" >/dev/null
    done
    if ! dpkg -S /usr/sbin/logrotate 2>/dev/null | grep -qx 'logrotate: /usr/sbin/logrotate' \
        || [ "$(debian_version_line)" != "logrotate 3.21.0" ] \
        || dpkg --verify logrotate 2>&1 | grep -q ' /usr/sbin/logrotate$'; then
        echo "check-deb: restoring: reinstalling Debian's logrotate"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --reinstall logrotate >/dev/null
    fi
    rm -rf "$work"
    [ $rc = 0 ] || echo "check-deb: FAILED (exit $rc); the system was restored" >&2
    exit $rc
}
trap restore EXIT
trap 'exit 130' INT TERM

# --- 1. Build -------------------------------------------------------------------------------
if [ $# -ge 1 ]; then
    deb=$1
else
    say "building: cargo deb -p logrotate"
    deb=$(cargo deb -p logrotate 2>"$work/build.log" | tail -1) || { cat "$work/build.log"; die "cargo deb failed"; }
fi
[ -f "$deb" ] || die "no package at '$deb'"
say "package: $deb ($(du -h "$deb" | cut -f1))"

# --- 2. Contents ----------------------------------------------------------------------------
say "control"
dpkg-deb -f "$deb" Package Version Architecture Depends Recommends | sed 's/^/   /'
[ "$(dpkg-deb -f "$deb" Package)" = "$PKG" ] || die "package name is not $PKG"
# (grep reads a variable, not a pipe: with pipefail, `grep -q` closing a pipe early fails it.)
info=$(dpkg-deb -I "$deb")
grep -q ' preinst ' <<<"$info" || die "no preinst (the diversions)"
grep -q ' postrm ' <<<"$info" || die "no postrm (undoing the diversions)"
say "contents"
dpkg-deb -c "$deb" | awk '{ printf "   %s %6s %s\n", $1, $3, $6 }'
dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's,^\./,/,' | grep -v '/$' | sort >"$work/files"
expected=(
    /usr/sbin/logrotate /usr/sbin/logrotated
    /lib/systemd/system/logrotate.service /lib/systemd/system/logrotate.timer
    /lib/systemd/system/logrotated.service
    /etc/cron.daily/logrotate-rs
    /usr/share/man/man8/logrotate.8.gz /usr/share/man/man8/logrotated.8.gz
    /usr/share/man/man5/logrotate-toml.5.gz
    /usr/share/doc/logrotate-rs/copyright
)
for f in "${expected[@]}"; do grep -qx "$f" "$work/files" || die "$f is missing from the package"; done
if grep -E '^/etc/logrotate\.(conf|d)|^/var/lib/logrotate|^/usr/lib/systemd' "$work/files"; then
    die "the package must not ship these (the system's rules and state, or units under /usr/lib)"
fi
echo "   conffiles: $(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles 2>/dev/null | tr '\n' ' ')"
dpkg-deb -x "$deb" "$work/root"
for bin in logrotate logrotated; do
    info=$(file -b "$work/root/usr/sbin/$bin")
    case $info in *", stripped"*) ;; *) die "/usr/sbin/$bin is not stripped: $info" ;; esac
    echo "   /usr/sbin/$bin: $(du -h "$work/root/usr/sbin/$bin" | cut -f1), stripped"
done
for page in logrotate.8 logrotated.8; do
    [ "$(zcat "$work/root/usr/share/man/man8/$page.gz" | head -c 100000 | grep -c '^\.TH')" = 1 ] \
        || die "$page.gz is not a man page"
done

# --- 3. Units: hardening scores, ours next to Debian's ----------------------------------------
say "systemd-analyze security --offline=true (exposure, lower is better)"
score() { systemd-analyze security --offline=true "$1" 2>&1 | sed -n 's/.*Overall exposure level for [^:]*: //p'; }
printf '   %-48s %s\n' "Debian /lib/systemd/system/logrotate.service" "$(score /lib/systemd/system/logrotate.service)"
for unit in logrotate.service logrotated.service; do
    s=$(score "$work/root/lib/systemd/system/$unit")
    printf '   %-48s %s\n' "ours $unit" "$s"
    awk -v a="${s%% *}" -v b="$(score /lib/systemd/system/logrotate.service | cut -d' ' -f1)" \
        'BEGIN { exit !(a <= b) }' || die "$unit is less hardened than Debian's logrotate.service"
done

# --- 4. Install: ours is /usr/sbin/logrotate from here to the purge below ----------------------
say "dpkg -i"
t0=$(date +%s.%N)
dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; die "dpkg -i failed"; }
# To check that the trap restores the system: CHECK_DEB_FAIL_AFTER_INSTALL=1 pkg/check-deb.sh
[ -z "${CHECK_DEB_FAIL_AFTER_INSTALL:-}" ] || die "failing on purpose (CHECK_DEB_FAIL_AFTER_INSTALL)"
dpkg -S /usr/sbin/logrotate | sed 's/^/   /'
owner=$(dpkg -S /usr/sbin/logrotate)
grep -qx "diversion by $PKG from: /usr/sbin/logrotate" <<<"$owner" \
    && grep -qE "(^|, )$PKG(,.*)?: /usr/sbin/logrotate$" <<<"$owner" || die "/usr/sbin/logrotate is not ours"
[[ "$(/usr/sbin/logrotate --version)" == *logrotate-rs* ]] || die "/usr/sbin/logrotate --version is not ours"
[ "$(/usr/sbin/logrotate.debian --version 2>&1 | head -1)" = "logrotate 3.21.0" ] \
    || die "Debian's logrotate is not kept as /usr/sbin/logrotate.debian"
/usr/sbin/logrotated --version >/dev/null || die "/usr/sbin/logrotated does not run"
say "installed /usr/sbin/logrotate -d /etc/logrotate.conf (the system's own rules)"
/usr/sbin/logrotate -d /etc/logrotate.conf >"$work/dry-run.log" 2>&1 \
    || { cat "$work/dry-run.log"; die "logrotate -d /etc/logrotate.conf failed"; }
echo "   exit 0, $(grep -c '^rotating pattern' "$work/dry-run.log" || true) rule sets, $(grep -c '^considering log' "$work/dry-run.log" || true) logs considered"
for page in logrotate.8 logrotated.8 logrotate-toml.5; do
    section=${page##*.}
    found=$(man -w "$section" "${page%.*}")
    [ "$found" = "/usr/share/man/man$section/$page.gz" ] || die "man ${page%.*} finds $found"
done
echo "   man -w: logrotate(8), logrotated(8) and logrotate-toml(5) are ours"
say "systemd-analyze verify (installed units)"
for unit in logrotate.service logrotate.timer logrotated.service; do
    out=$(systemd-analyze verify "/lib/systemd/system/$unit" 2>&1 || echo "exit status $?")
    [ -z "$out" ] || { echo "$out" | sed 's/^/   /'; die "$unit does not verify"; }
done
echo "   clean: logrotate.service logrotate.timer logrotated.service"
[ ! -e /etc/systemd/system/multi-user.target.wants/logrotated.service ] || die "logrotated.service was enabled"

# --- 5. Purge: Debian's 3.21 must be back ---------------------------------------------------
say "dpkg --purge"
dpkg --purge "$PKG" >>"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; die "dpkg --purge failed"; }
t1=$(date +%s.%N)
echo "   ours was installed for $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
dpkg -S /usr/sbin/logrotate | sed 's/^/   /'
dpkg -S /usr/sbin/logrotate | grep -qx 'logrotate: /usr/sbin/logrotate' || die "/usr/sbin/logrotate is not Debian's again"
echo "   /usr/sbin/logrotate --version: $(debian_version_line)"
[ "$(debian_version_line)" = "logrotate 3.21.0" ] || die "/usr/sbin/logrotate is not 3.21.0 again"
[ ! -e /etc/cron.daily/logrotate-rs ] || die "purge left /etc/cron.daily/logrotate-rs"
[ ! -e /lib/systemd/system/logrotated.service ] || die "purge left logrotated.service"
after=$(snapshot)
if [ "$before" != "$after" ]; then
    diff <(echo "$before") <(echo "$after") || true
    die "the system is not as it was before the install"
fi
echo "   Debian's files, /etc/logrotate.conf, /etc/logrotate.d/, the state file: as before"
say "check-deb: OK"
