// Package pkg is the root of Holdfast's shared platform module; the code
// lives in its subpackages (eventlog, platform, auth, pgstore, testkit).
package pkg
