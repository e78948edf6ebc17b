package outreach

import (
	"context"
	"log/slog"
	"time"
)

// Sender hands one SMS to the provider.
type Sender interface {
	Send(ctx context.Context, m OutboundSMS) (SentSMS, error)
	// FindSent looks among the provider's messages to a phone, created
	// since the given time, for one with that body.
	FindSent(ctx context.Context, to, body string, since time.Time) (SentSMS, bool, error)
}

// Enqueuer schedules the sending of a contact's SMS. Enqueuing the same
// contact twice must not send twice.
type Enqueuer interface {
	EnqueueSend(ctx context.Context, contactID int64, at time.Time) error
	// EnqueueReminder schedules the reminder of a contact at the given
	// time (the zero time: at once), likewise at most once.
	EnqueueReminder(ctx context.Context, contactID int64, at time.Time) error
	// QueueLost reports whether the queue may have lost tasks (its store
	// was emptied, or never marked) since MarkQueueWhole was last called.
	QueueLost(ctx context.Context) (bool, error)
	// MarkQueueWhole records that every queued contact is in the queue.
	MarkQueueWhole(ctx context.Context) error
	// EnqueueScreeningMessage schedules a pre-screening SMS at the given
	// time (the zero time: at once), at most once.
	EnqueueScreeningMessage(ctx context.Context, messageID int64, at time.Time) error
	// EnqueueScreeningTimer schedules a conversation's timer, at most
	// once per (contact, event, step).
	EnqueueScreeningTimer(ctx context.Context, t ScreeningTimer) error
	// EnqueueCounsellorMessage schedules a counsellor's answer by SMS at
	// the given time (the zero time: at once), at most once.
	EnqueueCounsellorMessage(ctx context.Context, messageID int64, at time.Time) error
}

// Notifier tells connected counsellors that an inbox item arrived.
type Notifier interface {
	InboxItemCreated(ctx context.Context, item InboxItem) error
}

// DefaultMaxOfferSMSPer7Days is how many offer SMS a job seeker may get in
// any 7 days, so that nobody is flooded.
const DefaultMaxOfferSMSPer7Days = 2

// ServiceConfig holds the settings of the use cases.
type ServiceConfig struct {
	AgencyName        string // signs every SMS, e.g. "France Travail"
	StatusCallbackURL string // where the provider posts delivery reports
	QuietHours        QuietHours
	// MaxOfferSMSPer7Days caps the offer SMS a job seeker receives in any
	// rolling 7 days (0: DefaultMaxOfferSMSPer7Days; negative: no cap).
	MaxOfferSMSPer7Days int
	// SMSTemplates are the agencies' own offer SMS texts, chosen by
	// AgencyName (nil: the built-in text).
	SMSTemplates *SMSTemplates
	// SendLease is how long a contact may stay in sending without a SID
	// before the outbox sweep settles it (default DefaultSendLease).
	SendLease time.Duration
	// FollowUpAfter is how long after an unanswered offer SMS its one
	// reminder goes (0: no reminders). CampaignWindow is how long after
	// its outreach started an offer's campaign closes (0:
	// DefaultCampaignWindow). See Campaign and RemindContact.
	FollowUpAfter  time.Duration
	CampaignWindow time.Duration
	// Screening times the pre-screening conversations.
	Screening ScreeningConfig
	// EmployerLinkTTL is how long an employer link opens the offer's
	// shortlist (0: DefaultEmployerLinkTTL).
	EmployerLinkTTL time.Duration
	// RetentionAfter is how long after an offer's campaign closed the
	// numbers and texts of its SMS are purged (0: never; see PurgeExpired).
	RetentionAfter time.Duration
	Now            func() time.Time // defaults to time.Now
	Logger         *slog.Logger
}

// Service runs the outreach flow: offers in, candidates matched and
// texted, replies understood, counsellors told.
type Service struct {
	store  Store
	sender Sender
	queue  Enqueuer
	notify Notifier
	cfg    ServiceConfig
	log    *slog.Logger
	index  CandidateIndex // optional; see UseIndex
	pacer  Pacer          // optional; see UsePacer
	links  *EmployerLinks // optional; see UseEmployerLinks
	obs    Observer       // see UseObserver; never nil
	tasks  TaskCanceller  // optional; see UseTaskCanceller
}

// NewService wires the use cases to their adapters. sender may be nil in a
// process that never sends (the API); queue and notify may not.
func NewService(store Store, sender Sender, queue Enqueuer, notify Notifier, cfg ServiceConfig) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	switch {
	case cfg.MaxOfferSMSPer7Days == 0:
		cfg.MaxOfferSMSPer7Days = DefaultMaxOfferSMSPer7Days
	case cfg.MaxOfferSMSPer7Days < 0:
		cfg.MaxOfferSMSPer7Days = 0 // the matcher's "no limit"
	}
	if cfg.SendLease <= 0 {
		cfg.SendLease = DefaultSendLease
	}
	if cfg.CampaignWindow <= 0 {
		cfg.CampaignWindow = DefaultCampaignWindow
	}
	if cfg.EmployerLinkTTL <= 0 {
		cfg.EmployerLinkTTL = DefaultEmployerLinkTTL
	}
	if cfg.AgencyName == "" {
		cfg.AgencyName = "France Travail"
	}
	return &Service{
		store:  store,
		sender: sender,
		queue:  queue,
		notify: notify,
		cfg:    cfg,
		log:    cfg.Logger.With("component", "outreach"),
		obs:    noObserver{},
	}
}
