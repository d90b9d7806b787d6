#!/bin/sh
# Install the register on a Debian/Ubuntu school server: the one supported deployment
# over SSH (README «Deployment over SSH»). Run as root from a checkout:
#
#     sudo sh deploy/install.sh
#
# It creates (each step is skipped if already done, so it can run again):
#   1. the service account ZHURNAL_USER (shell /bin/sh, no password: keys only), whose
#      home DATA (0700) holds the database (0600) and .ssh/authorized_keys (0600);
#   2. the program in a venv under PREFIX (root's, readable by all);
#   3. the school database (zhurnal init: prints the administrator's temporary password);
#   4. CONF_DIR/zhurnal.conf naming the database;
#   5. SSHD_SNIPPET: the sshd settings for the account (deploy/zhurnal-sshd.conf), checked
#      with sshd -t, and sshd reloaded.
# Then each user's key is bound to their register login:
#
#     sudo -u zhurnal /opt/zhurnal/.venv/bin/zhurnal ssh-key add LOGIN - < their_key.pub
#
# Every path and the account's name are variables, so the same steps run without root too
# (SYSTEM=no): the account is then the current user, the paths are folders of one's own,
# and the steps that need root (useradd, chown, reloading sshd) are skipped.
# tests/test_ssh_deploy.py runs it so, and starts its own sshd with the snippet.
set -eu

ZHURNAL_USER=${ZHURNAL_USER:-zhurnal}
PREFIX=${PREFIX:-/opt/zhurnal}
DATA=${DATA:-/var/lib/zhurnal}
CONF_DIR=${CONF_DIR:-/etc/xdg/zhurnal}
SSHD_SNIPPET=${SSHD_SNIPPET:-/etc/ssh/sshd_config.d/zhurnal.conf}
SOURCE=${SOURCE:-$(cd "$(dirname "$0")/.." && pwd)}
ZHURNAL=${ZHURNAL:-$PREFIX/.venv/bin/zhurnal}
POLICY=${POLICY:-004}
PYTHON=${PYTHON:-/usr/bin/python3}  # the system's: the account must be able to run it
ADMIN=${ADMIN:-admin}
DB="$DATA/school.db"

say() { printf '== %s\n' "$*"; }

# SYSTEM=yes (as root, the default for root): create the account, chown, reload sshd.
# SYSTEM=no: the account is the current user; nothing outside the given paths is touched.
if [ "$(id -u)" -eq 0 ]; then SYSTEM=${SYSTEM:-yes}; else SYSTEM=${SYSTEM:-no}; fi
if [ "$SYSTEM" = yes ] && [ "$(id -u)" -ne 0 ]; then
    echo "Ошибка: установка в систему (SYSTEM=yes) выполняется от root: sudo sh $0" >&2
    exit 2
fi
if [ "$SYSTEM" != yes ] && [ "$ZHURNAL_USER" != "$(id -un)" ]; then
    echo "Ошибка: с SYSTEM=no служебная учётная запись — текущая: ZHURNAL_USER=$(id -un)." >&2
    exit 2
fi

as_user() {  # run a command as the service account, with its home
    if [ "$SYSTEM" = yes ]; then
        runuser -u "$ZHURNAL_USER" -- env HOME="$DATA" "$@"
    else
        "$@"
    fi
}

say "1. Служебная учётная запись $ZHURNAL_USER, папка $DATA"
if [ "$SYSTEM" = yes ]; then
    if ! id -u "$ZHURNAL_USER" >/dev/null 2>&1; then
        useradd --system --user-group --home-dir "$DATA" --shell /bin/sh "$ZHURNAL_USER"
    fi
    usermod --shell /bin/sh --home "$DATA" "$ZHURNAL_USER" 2>/dev/null || true
    usermod --password '*' "$ZHURNAL_USER"  # no password, not locked: keys only
fi
mkdir -p "$DATA/.ssh"
touch "$DATA/.ssh/authorized_keys"
chmod 0700 "$DATA" "$DATA/.ssh"
chmod 0600 "$DATA/.ssh/authorized_keys"
if [ "$SYSTEM" = yes ]; then
    chown -R "$ZHURNAL_USER:$ZHURNAL_USER" "$DATA"
fi

say "2. Программа: $ZHURNAL"
if [ ! -x "$ZHURNAL" ]; then
    "$PYTHON" -m venv "$PREFIX/.venv"
    "$PREFIX/.venv/bin/pip" install -q "$SOURCE"
fi
if ! as_user "$ZHURNAL" --help >/dev/null; then
    echo "Ошибка: учётная запись $ZHURNAL_USER не может запустить $ZHURNAL (Python venv-а" \
        "в закрытой папке?). Удалите $PREFIX/.venv и запустите снова с PYTHON=/usr/bin/python3." >&2
    exit 1
fi

say "3. База школы: $DB"
as_user "$ZHURNAL" init --db "$DB" --policy "$POLICY" --admin "$ADMIN"
chmod 0600 "$DB"

say "4. Настройка: $CONF_DIR/zhurnal.conf"
mkdir -p "$CONF_DIR"
printf 'database_url = %s\n' "$DB" > "$CONF_DIR/zhurnal.conf"
chmod 0644 "$CONF_DIR/zhurnal.conf"

say "5. Настройки sshd: $SSHD_SNIPPET"
mkdir -p "$(dirname "$SSHD_SNIPPET")"
sed "s/^Match User zhurnal\$/Match User $ZHURNAL_USER/" "$SOURCE/deploy/zhurnal-sshd.conf" > "$SSHD_SNIPPET"
chmod 0644 "$SSHD_SNIPPET"
if [ "$SYSTEM" = yes ]; then
    /usr/sbin/sshd -t
    systemctl reload ssh 2>/dev/null || service ssh reload 2>/dev/null \
        || echo "Перезапустите sshd, чтобы настройки вступили в силу." >&2
fi

say "Готово. Ключ каждого пользователя привязывается к его логину журнала:"
echo "    sudo -u $ZHURNAL_USER $ZHURNAL ssh-key add ЛОГИН - < ключ.pub"
echo "Вход: ssh $ZHURNAL_USER@СЕРВЕР — сразу журнал этого пользователя."
