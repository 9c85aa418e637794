#!/usr/bin/env bash
# Build the real-audio clip cache for the simulated far end (ringcentral-sim).
#
# Reads sim/assets/catalog.tsv and writes one 8 kHz 16-bit mono WAV per clip plus manifest.tsv
# into the cache dir: $HH_SIM_ASSETS, default <workspace>/target/sim-assets.
# Sources: Festival with the kal/ked diphone and CMU ARCTIC slt HTS voices (agents),
# espeak-ng (IRS menus, Spanish), asterisk-core-sounds-en-wav (recorded IVR
# voice), asterisk-moh-opsound-wav (hold music), all processed with sox. Installs the Debian
# packages with apt-get when missing (needs root). Idempotent: skips work when the cache was
# built from the same catalog and script (stamp file). Usage: sim/assets/build-assets.sh [--force]
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CATALOG="$HERE/catalog.tsv"
OUT="${HH_SIM_ASSETS:-$ROOT/target/sim-assets}"
FORCE="${1:-}"

ASTERISK_DIR=/usr/share/asterisk/sounds/en_US_f_Allison
MOH_DIR=/usr/share/asterisk/moh
PACKAGES=(espeak-ng sox asterisk-core-sounds-en-wav asterisk-moh-opsound-wav
  festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts)
FESTIVAL_VOICES=/usr/share/festival/voices

have_all() {
  command -v espeak-ng >/dev/null && command -v sox >/dev/null && command -v text2wave >/dev/null &&
    [ -d "$FESTIVAL_VOICES/english/kal_diphone" ] && [ -d "$FESTIVAL_VOICES/english/ked_diphone" ] &&
    [ -d "$FESTIVAL_VOICES/us/cmu_us_slt_arctic_hts" ] &&
    [ -f "$ASTERISK_DIR/queue-holdtime.wav" ] && [ -f "$MOH_DIR/macroform-cold_day.wav" ]
}

ensure_packages() {
  if have_all; then return 0; fi
  if [ "$(id -u)" != 0 ]; then
    echo "build-assets: missing packages (${PACKAGES[*]}) and not root; install them first" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${PACKAGES[@]}" >/dev/null 2>&1 || {
    apt-get update >/dev/null
    apt-get install -y --no-install-recommends "${PACKAGES[@]}" >/dev/null
  }
  have_all || { echo "build-assets: packages installed but files missing" >&2; exit 1; }
}

STAMP_INPUT="$(cat "$CATALOG" "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1)"
if [ "$FORCE" != "--force" ] && [ -f "$OUT/manifest.tsv" ] && [ "$(cat "$OUT/stamp" 2>/dev/null)" = "$STAMP_INPUT" ]; then
  echo "build-assets: $OUT is up to date"
  exit 0
fi

ensure_packages

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
STAGE="$WORK/out"
mkdir -p "$STAGE"

# Every part ends as 8 kHz, 16-bit, mono, telephone band (250-3600 Hz).
to_phone() { sox -q "$1" -b 16 -c 1 "$2" sinc 250-3600 rate -h 8000 dither -s; }

tts() { # voice speed pitch text out
  espeak-ng -v "$1" -s "$2" -p "$3" -w "$WORK/tts.wav" -- "$4"
  to_phone "$WORK/tts.wav" "$5"
}

festival_tts() { # voice cents tempo text out
  printf '%s\n' "$4" | text2wave -eval "(voice_$1)" -o "$WORK/fest.wav" >/dev/null 2>&1
  sox -q "$WORK/fest.wav" "$WORK/fest2.wav" pitch "$2" tempo -s "$3"
  to_phone "$WORK/fest2.wav" "$5"
}

render_part() { # part out
  local part="$1" out="$2"
  case "$part" in
    t:*)
      local rest="${part#t:}" voice speed pitch text
      IFS=/ read -r voice speed pitch text <<<"$rest"
      tts "$voice" "$speed" "$pitch" "$text" "$out" ;;
    f:*)
      local rest="${part#f:}" voice cents tempo text
      IFS=/ read -r voice cents tempo text <<<"$rest"
      festival_tts "$voice" "$cents" "$tempo" "$text" "$out" ;;
    a:*)
      to_phone "$ASTERISK_DIR/${part#a:}.wav" "$out" ;;
    s:*)
      local ms="${part#s:}"
      sox -q -n -r 8000 -b 16 -c 1 "$out" trim 0 "$(awk "BEGIN{print $ms/1000}")" ;;
    moh:*)
      local track start dur
      IFS=/ read -r track start dur <<<"${part#moh:}"
      sox -q "$MOH_DIR/$track.wav" -b 16 -c 1 "$WORK/moh.wav" trim "$start" "$dur" fade t 0.3 -0 0.3
      to_phone "$WORK/moh.wav" "$out" ;;
    mohsing:*)
      local track start dur voice speed pitch lyrics
      IFS=/ read -r track start dur voice speed pitch lyrics <<<"${part#mohsing:}"
      sox -q "$MOH_DIR/$track.wav" -b 16 -c 1 "$WORK/moh.wav" trim "$start" "$dur" fade t 0.3 -0 0.3
      to_phone "$WORK/moh.wav" "$WORK/moh8k.wav"
      tts "$voice" "$speed" "$pitch" "$lyrics" "$WORK/sing8k.wav"
      # Sung line: slight chorus-like echo, entering after 2 s, repeated with 3 s gaps.
      sox -q "$WORK/sing8k.wav" "$WORK/sing-long.wav" echo 0.8 0.7 60 0.25 pad 2 3 repeat 4
      sox -q -m -v 0.8 "$WORK/moh8k.wav" -v 0.9 "$WORK/sing-long.wav" -b 16 "$out" trim 0 "$dur" ;;
    *)
      echo "build-assets: unknown source part '$part'" >&2; exit 1 ;;
  esac
}

count=0
{
  printf '# id\tkind\tlang\tvoice\tminutes\tf0_hz\tfile\ttext\n'
  while IFS=$'\t' read -r id kind lang voice minutes f0 source text; do
    case "$id" in ''|'#'*) continue ;; esac
    parts=()
    i=0
    IFS=';' read -r -a srcparts <<<"$source"
    for p in "${srcparts[@]}"; do
      render_part "$p" "$WORK/part$i.wav"
      parts+=("$WORK/part$i.wav")
      i=$((i + 1))
    done
    sox -q "${parts[@]}" -b 16 -c 1 -r 8000 "$STAGE/$id.wav"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$kind" "$lang" "$voice" "$minutes" "$f0" "$id.wav" "$text"
    count=$((count + 1))
  done <"$CATALOG"
} >"$STAGE/manifest.tsv"

cp "$HERE/CREDITS.md" "$STAGE/CREDITS.md"
echo "$STAMP_INPUT" >"$STAGE/stamp"
mkdir -p "$(dirname "$OUT")"
rm -rf "$OUT.old"
[ -d "$OUT" ] && mv "$OUT" "$OUT.old"
mv "$STAGE" "$OUT"
rm -rf "$OUT.old"
echo "build-assets: wrote $(grep -vc '^#' "$OUT/manifest.tsv") clips to $OUT ($(du -sh "$OUT" | cut -f1))"
