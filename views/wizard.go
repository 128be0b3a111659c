package views

// StepState is how a wizard step shows in the stepper.
type StepState string

// The states of a step.
const (
	StepDone    StepState = "done"
	StepCurrent StepState = "current"
	StepTodo    StepState = "todo"
)

// WizardStep is one entry of the stepper. Href is "" when the step cannot
// be visited yet.
type WizardStep struct {
	Number int
	Label  string
	Href   string
	State  StepState
}

// Wizard is what every step page shows around its form.
type Wizard struct {
	Steps []WizardStep
	// IntegrationName is "" on the very first page.
	IntegrationName string
	// CopyScriptURL is the small script behind the copy buttons.
	CopyScriptURL string
}

// ServiceAccountStep is step 1: the service account and the Pinterest app.
type ServiceAccountStep struct {
	Wizard
	Action string
	Name   string
	// Environment offers Pinterest, and Sandbox when this server runs it.
	Environment    Choice
	ServiceAccount string
	AppID          string
	// SecretSaved hides the secret field behind "saved — replace?".
	SecretSaved bool
	RedirectURI string
	// SandboxAppID is the sandbox app's ID, shown as a hint; "" when the
	// sandbox is off.
	SandboxAppID string
	SandboxURL   string
	Errors       FieldErrors
	CancelHref   string
}

// BusinessStep is step 2: the Business Manager ID.
type BusinessStep struct {
	Wizard
	Action     string
	BusinessID string
	Errors     FieldErrors
	BackHref   string
	// SandboxBusinessID is the sandbox's business, shown as a hint when the
	// integration uses the sandbox.
	SandboxBusinessID string
}

// ConnectFailure is why the last connection attempt was refused.
type ConnectFailure struct {
	Reason  string
	Message string
}

// ConnectStep is step 3: a summary and the Connect button.
type ConnectStep struct {
	Wizard
	Action         string
	Environment    string
	ServiceAccount string
	BusinessID     string
	AppID          string
	Reconnect      bool
	Failure        *ConnectFailure
	BackHref       string
	// SandboxAccount is the account to choose on the sandbox's consent
	// page; "" for Pinterest.
	SandboxAccount string
}
