package domain

// Customer is what the order service knows of a client-service customer:
// its holder, the source recorded at registration and its address. It is a
// projection of the CLIENT stream; the client service stays its owner.
type Customer struct {
	Tenant  string
	ID      string
	OwnerID string
	Source  SourceChannel
	Address string
	// Latitude and Longitude are the address's geo point when HasLocation.
	Latitude    float64
	Longitude   float64
	HasLocation bool
	// Version is the customer's aggregate version in CLIENT.
	Version uint64
}
