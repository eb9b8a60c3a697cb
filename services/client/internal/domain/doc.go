// Package domain holds the client service's decisions: what makes a valid
// customer registration or interaction, how contact details are normalised
// and masked, and who may do what. It does no I/O and knows no transport.
package domain
