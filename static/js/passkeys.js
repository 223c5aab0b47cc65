// Passkeys and security keys (WebAuthn). django-allauth's webauthn.js runs the
// browser's dialog; this file starts it from data- attributes on each button,
// so the pages need no inline script (the Content Security Policy forbids it).
//
//   data-passkey="add|authenticate|login"  which of allauth's forms
//   data-credential="ID"   the hidden input the browser's answer is put in
//   data-options="ID"      the json_script element holding the server's options
//   data-passwordless="ID" the "sign in with it instead of a password" checkbox
//
// Where the browser has no WebAuthn, the passkey parts stay hidden and the
// "needs a browser that supports them" note stays shown.
(function () {
  'use strict'

  const forms = window.allauth && window.allauth.webauthn && window.allauth.webauthn.forms
  if (!forms || !window.PublicKeyCredential) {
    return
  }

  document.querySelectorAll('[data-passkey-section]').forEach(function (section) {
    section.hidden = false
  })
  document.querySelectorAll('[data-passkey-unavailable]').forEach(function (note) {
    note.hidden = true
  })

  // The dialog was cancelled, timed out or refused: say so instead of nothing happening.
  document.addEventListener('allauth.error', function (event) {
    event.preventDefault()
    const box = document.querySelector('[data-passkey-error]')
    if (box) {
      box.hidden = false
      box.focus()
    }
  })

  let count = 0
  document.querySelectorAll('[data-passkey]').forEach(function (button) {
    if (!button.id) {
      count += 1
      button.id = 'passkey-button-' + count
    }
    const ids = {
      credential: button.dataset.credential,
      data: button.dataset.options
    }
    const kind = button.dataset.passkey
    if (kind === 'add') {
      ids.add = button.id
      ids.passwordless = button.dataset.passwordless || undefined
      forms.addForm({ ids })
    } else if (kind === 'authenticate') {
      ids.authenticate = button.id
      forms.authenticateForm({ ids })
    } else if (kind === 'login') {
      ids.login = button.id
      forms.loginForm({ ids })
    }
  })
})()
