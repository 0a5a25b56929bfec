// Package auth holds Proofsheet's authentication primitives: password hashing
// and policy, TOTP, recovery codes and random tokens.
//
// It deliberately knows nothing about databases or HTTP. Callers (the account
// store and the handlers in app) decide where hashes live and how requests
// look; this package only turns secrets into things that are safe to store
// and checks secrets against them. Every function takes what it needs as
// arguments and the only package-level data is immutable (the embedded
// common-password list), so the package is safe for concurrent use.
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
