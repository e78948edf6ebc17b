// Package outreach is the domain of the service: job seekers (candidates),
// counsellors, offers, the SMS contacts made for an offer, the replies that
// come back, and the use cases that tie them together. It imports only the
// standard library and the matcher; adapters for PostgreSQL, Redis, asynq,
// Twilio and HTTP live in their own packages and plug in through the small
// interfaces declared here.
package outreach
