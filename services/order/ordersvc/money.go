package ordersvc

import "github.com/holdfast/holdfast/services/order/internal/domain"

// ParseAmount reads a decimal amount as a person writes it ("1234.5",
// "1,234.50", full-width digits) into integer minor units of an ISO 4217
// currency, exactly; more decimals than the currency has is an error. It is
// what the holdfast CLI uses for --amount and --line prices.
func ParseAmount(s, currency string) (int64, error) { return domain.ParseAmount(s, currency) }

// FormatAmount writes minor units of currency as a decimal, e.g. 123450 CNY → "1234.50".
func FormatAmount(minor int64, currency string) string { return domain.FormatAmount(minor, currency) }
