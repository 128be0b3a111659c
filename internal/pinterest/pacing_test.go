package pinterest

import (
	"strings"
	"testing"
	"time"
)

func TestDefaultLimitsArePinterestsPublishedQuotas(t *testing.T) {
	std, trial := DefaultLimits(TierStandard), DefaultLimits(TierTrial)
	checks := []struct {
		name string
		got  Limit
		n    int
		per  time.Duration
	}{
		{"standard ads_read", std[AdsRead], 1000, time.Minute},
		{"standard all traffic", std[AllTraffic], 100, time.Second},
		{"trial ads_read", trial[AdsRead], 1000, 24 * time.Hour},
		{"trial all traffic", trial[AllTraffic], 1000, 24 * time.Hour},
	}
	for _, c := range checks {
		if c.got.Requests != c.n || c.got.Per != c.per {
			t.Errorf("%s = %v, want %d per %s", c.name, c.got, c.n, c.per)
		}
	}
	for _, cat := range []Category{AdsRead, AdsWrite, OrgRead, OrgWrite, AllTraffic} {
		if _, ok := std[cat]; !ok {
			t.Errorf("standard tier has no limit for %s", cat)
		}
		if _, ok := trial[cat]; !ok {
			t.Errorf("trial tier has no limit for %s", cat)
		}
	}
}

func TestLimitNeverLetsMoreThanTheQuotaThroughInAWindow(t *testing.T) {
	for _, l := range []Limit{Quota(1000, time.Minute), Quota(100, time.Second), Quota(1000, 24*time.Hour), {Requests: 20, Per: time.Minute, Burst: 4}, Quota(1, time.Minute)} {
		// Burst plus what refills in one window must not exceed Requests.
		if got := float64(l.burst()) + l.PerSecond()*l.Per.Seconds(); got > float64(l.Requests)+1e-6 && l.Requests > 1 {
			t.Errorf("%v lets %.1f through per window", l, got)
		}
		// MinDuration(n) is the time for the requests beyond the burst.
		n := 3 * l.Requests
		want := time.Duration(float64(n-l.burst()) / l.PerSecond() * float64(time.Second))
		if got := l.MinDuration(n); got != want || got < 2*l.Per-time.Second {
			t.Errorf("%v: MinDuration(%d) = %s, want %s", l, n, got, want)
		}
		if l.MinDuration(l.burst()) != 0 {
			t.Errorf("%v: a burst should take no time", l)
		}
	}
}

func TestParseTier(t *testing.T) {
	for in, want := range map[string]Tier{"": TierStandard, "standard": TierStandard, "Trial": TierTrial, "TRIAL": TierTrial} {
		if got, err := ParseTier(in); err != nil || got != want {
			t.Errorf("ParseTier(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseTier("gold"); err == nil {
		t.Error("ParseTier(gold) accepted")
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	for name, o := range map[string]Options{
		"API URL without scheme": {APIURL: "api.pinterest.com/v5"},
		"unknown tier":           {Tier: "gold"},
		"zero limit":             {Limits: map[Category]Limit{AdsRead: {Requests: 0, Per: time.Minute}}},
	} {
		if _, err := New(StaticToken(nil), o); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := New(nil, Options{}); err == nil {
		t.Error("no token source accepted")
	}
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":                              0,
		"30":                            30 * time.Second,
		" 2 ":                           2 * time.Second,
		"-5":                            0,
		"soon":                          0,
		"Thu, 26 Nov 2026 12:01:00 GMT": time.Minute,
		"Thu, 26 Nov 2026 11:00:00 GMT": 0,
	} {
		if got := retryAfter(in, now); got != want {
			t.Errorf("retryAfter(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestScrubRemovesTokensFromServerText(t *testing.T) {
	in := "token pina_AbCdEf0123456789xyz is invalid; Bearer abc.def; refresh pinr_Zz99887766"
	got := scrub(in)
	for _, bad := range []string{"pina_AbCd", "abc.def", "pinr_Zz99"} {
		if strings.Contains(got, bad) {
			t.Errorf("scrub(%q) = %q", in, got)
		}
	}
	// Ordinary words starting with "pin" survive.
	if got := scrub("pinterest pinned it"); got != "pinterest pinned it" {
		t.Errorf("scrub changed ordinary text: %q", got)
	}
}
