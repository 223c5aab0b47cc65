# Sourced by run_prod.sh: a SECRET_KEY that stays the same across restarts.
#
# The key signs sessions, CSRF tokens and the phones' workshop cookies. A new key at
# every start would sign every phone out of its workshop, and a phone that joined
# anonymously would join again as someone new. So without SECRET_KEY in the
# environment, one is made once into SECRET_KEY_FILE (readable by its owner only)
# and read from there on every start.
if [ -z "${SECRET_KEY:-}" ]; then
  SECRET_KEY_FILE="${SECRET_KEY_FILE:-.run-prod-secret-key}"
  if [ ! -s "$SECRET_KEY_FILE" ]; then
    (umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(64))' >"$SECRET_KEY_FILE")
    echo "No SECRET_KEY set: made one in $SECRET_KEY_FILE (readable by you only), kept for the next start."
  else
    echo "No SECRET_KEY set: using the one kept in $SECRET_KEY_FILE."
  fi
  chmod 600 "$SECRET_KEY_FILE"
  SECRET_KEY="$(cat "$SECRET_KEY_FILE")"
  export SECRET_KEY
fi
