package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/geo"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
)

// CheckIn implements `holdfast checkin`: check in at a place now, as the
// phone app would, and print the facts recorded with it.
func CheckIn(ctx context.Context, env Env, args []string) error {
	c := newAttendanceCmd("checkin", env, "print only the ATTENDANCE sequence written")
	at := c.fs.String("at", "", "where: LATITUDE,LONGITUDE in decimal degrees, e.g. 31.2304,121.4737")
	accuracy := c.fs.Float64("accuracy", 10, "the fix's accuracy radius in metres")
	kind := c.fs.String("kind", "visit", "visit or office")
	customer := c.fs.String("customer", "", "the customer visited (optional)")
	purpose := c.fs.String("purpose", "", "why")
	photo := c.fs.String("photo", "", "a photo file to record by its SHA-256 and size (the photo itself stays with you)")
	employee := c.fs.String("employee", "", "check in someone else (role service only)")
	return c.run(ctx, args, func(ctx context.Context, a attendancev1.AttendanceServiceClient, rid string) error {
		p, err := geo.ParsePoint(*at)
		if err != nil {
			return fmt.Errorf("%w: --at: %w", ErrUsage, err)
		}
		k, ok := attendancev1.CheckInKind_value["CHECK_IN_KIND_"+strings.ToUpper(*kind)]
		if !ok || *kind == "" {
			return fmt.Errorf("%w: --kind must be visit or office", ErrUsage)
		}
		req := &attendancev1.CheckInRequest{
			RequestId: rid, EmployeeId: *employee, Kind: attendancev1.CheckInKind(k), Latitude: p.Latitude, Longitude: p.Longitude,
			AccuracyM: *accuracy, DeviceTime: timestamppb.New(time.Now()), CustomerId: *customer, Purpose: *purpose,
		}
		if *photo != "" {
			if req.PhotoSha256, req.PhotoSizeBytes, err = digestFile(*photo); err != nil {
				return err
			}
		}
		r, err := a.CheckIn(ctx, req)
		if err != nil {
			return err
		}
		if *c.quiet {
			fmt.Fprintln(env.Stdout, r.GetSequence())
			return nil
		}
		printCheckIn(env, r.GetCheckIn())
		return nil
	})
}

// digestFile is a file's SHA-256 (hex) and size.
func digestFile(path string) (string, int64, error) {
	f, err := os.Open(path) //nolint:gosec // the user names their own photo
	if err != nil {
		return "", 0, err
	}
	defer f.Close() //nolint:errcheck // read only: a close error loses nothing
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// CheckIns implements `holdfast checkins list`.
func CheckIns(ctx context.Context, env Env, sub string, args []string) error {
	if sub != "list" {
		return fmt.Errorf("%w: checkins list --employee ID | --customer ID", ErrUsage)
	}
	c := newAttendanceCmd("checkins list", env, "print only check-in ids")
	employee := c.fs.String("employee", "", "one employee's check-ins")
	customer := c.fs.String("customer", "", "one customer's check-ins")
	limit := c.fs.Int("limit", 50, "at most this many, newest first")
	minSeq := c.fs.Uint64("min-sequence", 0, "wait until the read model has this ATTENDANCE sequence")
	return c.run(ctx, args, func(ctx context.Context, a attendancev1.AttendanceServiceClient, _ string) error {
		token, shown := "", 0
		for shown < *limit {
			r, err := a.ListCheckIns(ctx, &attendancev1.ListCheckInsRequest{
				EmployeeId: *employee, CustomerId: *customer, PageSize: int32(min(*limit-shown, 200)), PageToken: token, MinSequence: *minSeq, //nolint:gosec // at most 200
			})
			if err != nil {
				return err
			}
			for _, k := range r.GetCheckIns() {
				shown++
				if *c.quiet {
					fmt.Fprintln(env.Stdout, k.GetCheckInId())
					continue
				}
				printCheckIn(env, k)
			}
			if token = r.GetNextPageToken(); token == "" {
				return nil
			}
		}
		return nil
	})
}

func printCheckIn(env Env, k *attendancev1.CheckIn) {
	kind := strings.ToLower(strings.TrimPrefix(k.GetKind().String(), "CHECK_IN_KIND_"))
	fmt.Fprintf(env.Stdout, "check-in %s  %s %s at %.5f,%.5f ±%.0f m  %s (ATTENDANCE sequence %d)\n", k.GetCheckInId(), k.GetEmployeeId(), kind,
		k.GetLatitude(), k.GetLongitude(), k.GetAccuracyM(), k.GetDeviceTime().AsTime().Format(time.RFC3339), k.GetSequence())
	switch {
	case k.GetCustomerId() == "":
		fmt.Fprintln(env.Stdout, "  no customer linked")
	case k.GetCustomerLocated():
		fmt.Fprintf(env.Stdout, "  %.0f m from customer %s's registered address\n", k.GetDistanceToCustomerM(), k.GetCustomerId())
	default:
		fmt.Fprintf(env.Stdout, "  customer %s has no registered location\n", k.GetCustomerId())
	}
	if k.GetPreviousCheckInId() != "" {
		fmt.Fprintf(env.Stdout, "  %.1f km from the previous check-in in %ds (%.0f km/h)\n",
			k.GetDistanceFromPreviousM()/1000, k.GetSecondsSincePrevious(), k.GetSpeedFromPreviousKmh())
	}
	if k.GetRepeatsCheckInId() != "" {
		fmt.Fprintf(env.Stdout, "  exactly repeats the fix of check-in %s\n", k.GetRepeatsCheckInId())
	}
}
