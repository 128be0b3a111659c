package views

// SyncRunPage is /integrations/{id}/syncs/{run_id}: one sync run.
type SyncRunPage struct {
	IntegrationName string
	IntegrationHref string
	Run             SyncRun
}

// SyncRun is the part of the run page that htmx refreshes every second
// while the run is going; once it has ended, PollURL is empty and the
// refreshing stops.
type SyncRun struct {
	ID          int64
	Status      string // a run status: running, succeeded, failed, ...
	StatusLabel string
	Trigger     string
	StartedAt   string
	Duration    string
	Phase       string
	// Done and Total drive the progress bar; Total 0 means not known yet.
	Done, Total int64
	Percent     int
	Calls       int
	Error       string
	// PollURL is where htmx fetches this part again; "" once ended.
	PollURL string
	// CancelAction is the POST path that cancels the run; "" unless it
	// runs in this server.
	CancelAction string
	// Counts shows the snapshot's sizes once the run has finished.
	Counts []SyncCount
	Review *SyncReview
}

// SyncCount is one count of a finished run.
type SyncCount struct {
	Label string
	Value int64
}

// SyncReview is what a run held for review would remove, and the choice.
type SyncReview struct {
	Reason        string
	Removed       []SyncCount
	Removals      []SyncRemoval
	More          int // removals not listed
	AcceptAction  string
	DiscardAction string
}

// SyncRemoval is one thing the held run would remove.
type SyncRemoval struct {
	What   string // "Member", "Partner", "Access", ...
	Name   string
	Detail string
}

func runStatusClass(status string) string {
	switch status {
	case "succeeded":
		return "bg-green-100 text-green-800"
	case "running":
		return "bg-blue-100 text-blue-800"
	case "needs_review":
		return "bg-yellow-100 text-yellow-900"
	case "failed", "interrupted":
		return "bg-red-100 text-red-800"
	}
	return "bg-gray-200 text-gray-800"
}
