package main

// Results is everything one run measured; bench/results.json holds it.
type Results struct {
	Command       string         `json:"command"`
	Machine       Machine        `json:"machine"`
	Seed          int            `json:"seed"`
	TotalSeconds  float64        `json:"total_seconds"`
	Imports       []ImportResult `json:"imports"`
	LatencyImport *ImportResult  `json:"latency_import,omitempty"`
	Clients       int            `json:"clients"`
	BrowseSeconds float64        `json:"browse_seconds_per_page"`
	SingleSeconds float64        `json:"single_client_seconds_per_page"`
	Browse        *BrowseResult  `json:"browse,omitempty"`
	Export        *ExportResult  `json:"export,omitempty"`
	Missing       []Missing      `json:"missing,omitempty"`
	// Fallbacks name the harness's stand-ins for pinaccess commands or
	// flags that did not exist when it ran.
	Fallbacks []string `json:"fallbacks,omitempty"`
}

// Missing is a section that could not be measured, and why.
type Missing struct {
	Section string `json:"section"`
	Reason  string `json:"reason"`
}

func (r *Results) missing(section, reason string) {
	r.Missing = append(r.Missing, Missing{Section: section, Reason: reason})
}

// ImportResult is one `pinaccess sync` of a dataset.
type ImportResult struct {
	Dataset        string  `json:"dataset"`
	Name           string  `json:"name"`
	LatencyMs      float64 `json:"latency_ms"`
	QuotaPerMinute int     `json:"quota_per_minute"` // of every category, in the sandbox and the client
	Command        string  `json:"command"`          // the measured sync
	Status         string  `json:"status"`
	Error          string  `json:"error,omitempty"`

	WallSec   float64 `json:"wall_seconds"`
	UserSec   float64 `json:"user_seconds"`
	SysSec    float64 `json:"sys_seconds"`
	CPUSec    float64 `json:"cpu_seconds"`
	PeakRSSMB float64 `json:"peak_rss_mb"`

	APICalls     int64   `json:"api_calls"`
	MinCalls     int64   `json:"min_calls"`
	CallsOverMin float64 `json:"calls_over_min"` // (calls / minimum) - 1
	Retries      int64   `json:"retries"`
	Strategy     string  `json:"strategy"`

	Rows       int64   `json:"rows"`       // snapshot rows: members+partners+assets+grant rows+pixels+invites
	GrantRows  int64   `json:"grant_rows"` // principal × asset × permission
	RowsPerSec float64 `json:"rows_per_second"`

	Baseline *InsertBaseline `json:"baseline,omitempty"`

	// The latency run: the least wall time the quota and the client's
	// concurrency allow for the calls made, and wall / bound.
	Concurrency int     `json:"concurrency,omitempty"`
	BoundSec    float64 `json:"bound_seconds,omitempty"`
	BoundRatio  float64 `json:"bound_ratio,omitempty"`

	Facts DatasetFacts `json:"dataset_facts"`
}

// BrowseResult is the browsing load on the imported dataset.
type BrowseResult struct {
	Dataset         string     `json:"dataset"`
	Clients         int        `json:"clients"`
	Pages           []PageLoad `json:"pages"`
	Skipped         []string   `json:"skipped,omitempty"`
	ServerPeakRSSMB float64    `json:"server_peak_rss_mb"`
	// PreparedSeconds is how long the server took after its start to
	// prepare what the inventory pages keep per snapshot (its log says);
	// the load waits for it. 0 when it did not say.
	PreparedSeconds float64 `json:"prepared_seconds,omitempty"`
}
