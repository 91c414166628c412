// Package eido reads and writes NENA Emergency Incident Data Objects: the
// JSON documents (NENA-STA-021.1, EIDO JSON; conveyed as NENA-STA-024
// describes) through which PSAPs and agencies exchange incidents. An
// incident goes out as an EIDO for a partner agency; an EIDO from a partner
// comes in as a report. Only the components and fields Yaqaza uses are
// modelled; the decoder passes over the others.
package eido

// Version is the EIDO structure version written and accepted.
const Version = "1.0"

// Ref points to another component by its $id.
type Ref struct {
	Ref string `json:"$ref"`
}

// Prologue is common to every component: a globally unique id, when it
// last changed, and the agency that changed it.
type Prologue struct {
	ID         string `json:"$id"`
	LastUpdate string `json:"lastUpdateTimeStamp"`
	UpdatedBy  *Ref   `json:"updatedByAgencyReference,omitempty"`
}

// Document is an EIDO. Its $id is the incident tracking identifier
// (urn:emergency:uid:incidentid:…), as in NENA's samples.
type Document struct {
	Prologue
	Version        string     `json:"eidoVersion"`
	IssuingElement string     `json:"issuingElementIdentification"`
	Merges         []Merge    `json:"mergeComponent,omitempty"`
	Incident       *Incident  `json:"incidentComponent,omitempty"`
	Calls          []Call     `json:"callComponent,omitempty"`
	Dispatches     []Dispatch `json:"dispatchComponent,omitempty"`
	Notes          []Note     `json:"notesComponent,omitempty"`
	Resources      []Resource `json:"emergencyResourceComponent,omitempty"`
	Agencies       []Agency   `json:"agencyComponent"`
	Locations      []Location `json:"locationComponent,omitempty"`
}

// Incident is the incident component.
type Incident struct {
	Prologue
	TypeCommon       string   `json:"incidentTypeCommonRegistryText"`
	TypeInternalCode string   `json:"incidentTypeInternalCode,omitempty"`
	TypeInternalText string   `json:"incidentTypeInternalText,omitempty"`
	StatusCommon     []string `json:"incidentStatusCommonRegistryText,omitempty"`
	StatusInternal   []string `json:"incidentStatusInternalText,omitempty"`
	InternalID       string   `json:"internalIncidentId,omitempty"`
	PriorityInternal string   `json:"incidentPriorityInternalText,omitempty"`
	// PriorityCommon runs from 0 (lowest) to 10 (highest).
	PriorityCommon *int   `json:"incidentCommonPriorityNumber,omitempty"`
	DispatchGroup  string `json:"beatOrDispatchGroupText,omitempty"`
	LocationRefs   []Ref  `json:"locationReference,omitempty"`
	NotesRefs      []Ref  `json:"notesReference,omitempty"`
}

// Call is a call component: for Yaqaza, one report on any channel.
type Call struct {
	Prologue
	PrimaryCallType string `json:"standardPrimaryCallType"`
	LocalCallType   string `json:"localCallType,omitempty"`
	Direction       string `json:"direction"`
	Start           string `json:"callStartTimestamp"`
	State           string `json:"callStateRegistryText"`
	NotesRefs       []Ref  `json:"notesReference,omitempty"`
	LocationRefs    []Ref  `json:"locationReference,omitempty"`
}

// Note is a notes component: text in HTML5.
type Note struct {
	Prologue
	Comments string `json:"notesActionComments"`
}

// Agency is an agency component.
type Agency struct {
	Prologue
	Jcard  string   `json:"agencyJcard,omitempty"`
	Roles  []string `json:"agencyRoleDescriptionRegistryText"`
	Types  []string `json:"agencyType"`
	Owning *bool    `json:"incidentOwningAgencyIndicator,omitempty"`
}

// Location is a location component; ByValue is a PIDF-LO document.
type Location struct {
	Prologue
	Type        string `json:"locationTypeDescriptionRegistryText"`
	ByValue     string `json:"locationByValue,omitempty"`
	Description string `json:"locationDescriptionText,omitempty"`
}

// Resource is an emergency resource component: a unit on the incident.
// The registry lists the schema requires are written even when empty.
type Resource struct {
	Prologue
	TypeCommon      string   `json:"emergencyResourceTypeCommonRegistryText"`
	TypeInternal    string   `json:"emergencyResourceTypeInternalText,omitempty"`
	Name            string   `json:"emergencyResourceName,omitempty"`
	PrimaryStatus   string   `json:"primaryUnitStatusRegistryText"`
	SecondaryStatus []string `json:"secondaryUnitStatusRegistryText"`
	Attributes      []string `json:"resourceAttributeRegistryText"`
	StatusInternal  []string `json:"unitStatusInternal,omitempty"`
	AgentRefs       []Ref    `json:"agentReference"`
}

// Dispatch says which agency sent which resources.
type Dispatch struct {
	Prologue
	AgencyRef    *Ref  `json:"agencyReference,omitempty"`
	ResourceRefs []Ref `json:"emergencyResourceReference,omitempty"`
}

// Merge says the incident was merged into another.
type Merge struct {
	Prologue
	TrackingID string `json:"incidentTrackingIdentifier"`
	Direction  string `json:"incidentMergeDirectionCode"`
}
