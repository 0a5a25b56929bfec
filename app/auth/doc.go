// Package auth is studio accounts: sign-up, login with a second factor,
// server-side sessions, password change and reset, staff invites and API
// tokens (Accounts), on top of the primitives that turn secrets into things
// safe to store: password hashing and policy, TOTP, recovery codes and
// random tokens. It knows nothing of HTTP; the handlers in app do.
//
// The primitives take what they need as arguments and the only
// package-level data is immutable (the embedded common-password list).
//
// Storage rules it implements (DESIGN.md, convention 7):
//   - low-entropy secrets a person chose (passwords, PINs): argon2id, see
//     HashPassword;
//   - high-entropy secrets we generated (session ids, reset/invite links, API
//     tokens, recovery codes): SHA-256, see HashToken. A slow hash adds
//     nothing when guessing is already hopeless, and a fast one lets the
//     store look a token up by its hash.
//
// All comparisons of secrets or their hashes are constant-time.
package auth
