#!/usr/bin/env bash
# A new school from nothing to a teacher's first mark, with the CLI only, then verified.
#
#   examples/new-school.sh [FOLDER]
#
# FOLDER (new or empty; default: a new temporary folder) receives the database
# `school.db`, the password files (mode 600) and the class list.  Every step is a
# `zhurnal` command as the administrator would type it; each one runs as a register user
# who proves it with a password file (`--as LOGIN --password-file FILE`).
#
# The school year is the one the day belongs to (1 September – 31 May, quarters and
# holidays of a usual Russian school year).  YEAR_FROM and YEAR_TO (ДД.ММ.ГГГГ) set
# other dates; the year is then cut into four equal quarters with no holidays — the test
# suite does so to run on any day of the calendar.  The mark is given for yesterday's
# lesson (Saturday's when yesterday was a Sunday): today's may not have begun yet, and a
# mark is never given ahead of its lesson [004 §3.8].
#
# ZHURNAL names the command (default: `zhurnal` on the PATH).
set -euo pipefail

ZHURNAL=${ZHURNAL:-zhurnal}
DIR=${1:-$(mktemp -d)}
mkdir -p "$DIR"
chmod 700 "$DIR"
DB="$DIR/school.db"
if [ -e "$DB" ]; then
    echo "Ошибка: $DB уже существует — укажите пустую папку." >&2
    exit 2
fi

say() { printf '\n== %s\n' "$*"; }
secret() { # secret FILE TEXT: a password file its owner alone may read
    (umask 077 && printf '%s\n' "$2" >"$DIR/$1")
}
zh() { "$ZHURNAL" --db "$DB" "$@"; }
day() { date -d "$1" +%d.%m.%Y; } # GNU date: ISO or relative dates → ДД.ММ.ГГГГ

# --- the calendar ---------------------------------------------------------------------
today=$(date +%F)
mark_day=$(date -d "$today -1 day" +%F)
if [ "$(date -d "$mark_day" +%u)" = 7 ]; then
    mark_day=$(date -d "$today -2 days" +%F) # no lessons on Sunday: Saturday's
fi
if [ -n "${YEAR_FROM:-}" ]; then
    from_iso=$(date -d "$(echo "$YEAR_FROM" | awk -F. '{print $3"-"$2"-"$1}')" +%F)
    to_iso=$(date -d "$(echo "$YEAR_TO" | awk -F. '{print $3"-"$2"-"$1}')" +%F)
else
    y=$(date +%Y)
    [ "$(date +%m)" -lt 9 ] && y=$((y - 1))
    from_iso="$y-09-01"
    to_iso="$((y + 1))-05-31"
fi
first=$(date -d "$from_iso" +%Y)
year_name="$first/$((first + 1))"

# --- 1. the school and its administrator ------------------------------------------------
say "Школа и её администратор"
zh init --admin admin --name "Администраторова Анна Сергеевна" | tee "$DIR/init.txt"
temp=$(sed -n 's/.*временный пароль \([^ ]*\) .*/\1/p' "$DIR/init.txt")
secret admin.temp "$temp"
secret admin.pw "Школьный-журнал-2026"
zh password --as admin --password-file "$DIR/admin.temp" --new-password-file "$DIR/admin.pw"
ADMIN=(--as admin --password-file "$DIR/admin.pw")

# --- 2. the year, its quarters, holidays and bells ----------------------------------------
say "Учебный год $year_name"
zh year create "$year_name" --from "$(day "$from_iso")" --to "$(day "$to_iso")" "${ADMIN[@]}"
if [ -n "${YEAR_FROM:-}" ]; then
    days=$((($(date -d "$to_iso" +%s) - $(date -d "$from_iso" +%s)) / 86400 + 1))
    for n in 1 2 3 4; do
        a=$(date -d "$from_iso +$(((n - 1) * days / 4)) days" +%F)
        b=$(date -d "$from_iso +$((n * days / 4 - 1)) days" +%F)
        zh period add --scheme четверти --number "$n" --from "$(day "$a")" --to "$(day "$b")" \
            "${ADMIN[@]}"
    done
else
    next=$((first + 1))
    zh period add --scheme четверти --number 1 --from "01.09.$first" --to "24.10.$first" "${ADMIN[@]}"
    zh period add --scheme четверти --number 2 --from "03.11.$first" --to "28.12.$first" "${ADMIN[@]}"
    zh period add --scheme четверти --number 3 --from "09.01.$next" --to "21.03.$next" "${ADMIN[@]}"
    zh period add --scheme четверти --number 4 --from "30.03.$next" --to "31.05.$next" "${ADMIN[@]}"
    zh holiday add "Осенние каникулы" --from "25.10.$first" --to "02.11.$first" "${ADMIN[@]}"
    zh holiday add "Зимние каникулы" --from "29.12.$first" --to "08.01.$next" "${ADMIN[@]}"
    zh holiday add "Весенние каникулы" --from "22.03.$next" --to "29.03.$next" "${ADMIN[@]}"
    zh holiday add "День народного единства" --from "04.11.$first" --to "04.11.$first" \
        --kind праздник "${ADMIN[@]}"
fi
zh bells set "1 08:30-09:15" "2 09:25-10:10" "3 10:30-11:15" "4 11:35-12:20" "${ADMIN[@]}"

# --- 3. a teacher: a temporary password, changed by the teacher ---------------------------
say "Учитель"
zh user add ivanova.mi "Иванова Мария Ивановна" --roles teacher "${ADMIN[@]}" |
    tee "$DIR/teacher.txt"
secret teacher.temp "$(sed -n 's/^Временный пароль: \([^ ]*\) .*/\1/p' "$DIR/teacher.txt")"
secret teacher.pw "Математика-в-пятом-А"
zh password --as ivanova.mi --password-file "$DIR/teacher.temp" \
    --new-password-file "$DIR/teacher.pw"
TEACHER=(--as ivanova.mi --password-file "$DIR/teacher.pw")

# --- 4. a subject, a class with its class teacher, its list --------------------------------
say "Предмет, класс, список класса"
zh subject add Математика --short Мат "${ADMIN[@]}"
zh class add 5А --scheme четверти --teacher ivanova.mi "${ADMIN[@]}"
cat >"$DIR/5a.csv" <<'CSV'
ФИО;Дата рождения;Класс
Антонов Антон Андреевич;12.03.2015;5А
Борисова Белла Борисовна;05.07.2015;5А
Васильев Василий Викторович;21.11.2014;5А
CSV
zh import students "$DIR/5a.csv" --from "$(day "$from_iso")" --order "Приказ № 1-у" \
    "${ADMIN[@]}"

# --- 5. who teaches what, the timetable and the lessons ------------------------------------
say "Предмет класса, расписание, уроки"
zh course add --class 5А --subject Математика --teacher ivanova.mi --hours 6 "${ADMIN[@]}"
for d in пн вт ср чт пт сб; do
    zh timetable add --class 5А --subject Математика --day "$d" --lesson 1 --room 12 \
        --from "$(day "$from_iso")" "${ADMIN[@]}"
done
zh timetable generate --from "$(day "$from_iso")" --to "$(day "$to_iso")" "${ADMIN[@]}"

# --- 6. the teacher's first mark -----------------------------------------------------------
say "Первая отметка"
printf 'дата;урок;класс;предмет;ученик;вид;отметка\n%s;1;5А;Математика;Антонов Антон;answer;5\n' \
    "$(day "$mark_day")" >"$DIR/mark.csv"
zh import marks "$DIR/mark.csv" "${TEACHER[@]}"

# --- 7. the register checks out --------------------------------------------------------------
say "Проверка"
zh verify
echo
echo "Готово: $DB (пароли: $DIR/admin.pw, $DIR/teacher.pw)."
