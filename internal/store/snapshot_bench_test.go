package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// xlBusiness is an inventory the size of the xl dataset's grants: 100,000
// members holding 1,000,000 grant rows over 70,000 assets.
func xlBusiness(seed int) business {
	var b business
	const members, assets, perMember = 100_000, 70_000, 10
	for i := range members {
		b.members = append(b.members, Member{ID: fmt.Sprint(1_000_000 + i), Username: fmt.Sprintf("user%d", i),
			Email: fmt.Sprintf("user%d@example.com", i), BusinessRoles: []string{"EMPLOYEE"}})
	}
	for i := range assets {
		b.assets = append(b.assets, Asset{ID: fmt.Sprint(5_000_000 + i), Type: "AD_ACCOUNT", Name: fmt.Sprintf("Ads %d", i)})
	}
	perms := [][]string{{"ADMIN"}, {"ANALYST"}, {"CAMPAIGN_MANAGER"}, {"FINANCE_VIEW"}}
	for i := range members {
		shift := 0
		if i%1000 == 0 {
			shift = seed // every thousandth member's grants move in the second snapshot
		}
		for j := range perMember {
			a := (i*7 + j*13 + shift) % assets
			b.grants = append(b.grants, Grant{GranteeType: GranteeMember, GranteeID: b.members[i].ID,
				AssetID: b.assets[a].ID, Permissions: perms[(i+j)%len(perms)]})
		}
	}
	return b
}

// BenchmarkSnapshotWriteAndFinishXL writes an xl-sized snapshot over a
// previous one and finishes the run (diff, changes, pointer move),
// reporting grant rows written per second and the finish time.
//
//	go test -run '^$' -bench SnapshotWriteAndFinishXL -benchtime 1x ./internal/store/
func BenchmarkSnapshotWriteAndFinishXL(b *testing.B) {
	ctx := context.Background()
	first, second := xlBusiness(0), xlBusiness(1)
	for range b.N {
		b.StopTimer()
		s := openTemp(b)
		integ := newIntegration(b, s, 0, 30)
		syncBusiness(b, s, integ, first)
		r, err := s.StartRun(ctx, integ, "manual")
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		writeSnapshot(b, s, r.ID, second)
		wrote := time.Since(start)
		fin, err := s.FinishRun(ctx, r.ID, RunStats{})
		if err != nil {
			b.Fatal(err)
		}
		finished := time.Since(start) - wrote
		b.StopTimer()
		b.ReportMetric(float64(fin.Counts.Grants)/wrote.Seconds(), "grant-rows/s")
		b.ReportMetric(finished.Seconds(), "finish-s")
		b.ReportMetric(float64(fin.Counts.Changes), "changes")
		s.Close()
	}
}
