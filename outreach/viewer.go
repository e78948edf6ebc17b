package outreach

import "context"

// Viewer is who asks, signed in to the web app: a counsellor, who sees
// the job seekers they follow and the offers they own, or an agency
// administrator, who sees those of every counsellor of the agency. Every
// read and write on behalf of a person is scoped by a Viewer, checked on
// the server.
type Viewer struct {
	CounsellorID int64
	Agency       string
	Admin        bool
	// agencyWide marks an AgencyViewer: without it, a viewer with no
	// counsellor sees nothing, whatever it claims.
	agencyWide bool
}

// Sees reports whether v may see what the counsellor ownerID, of agency
// ownerAgency, follows or owns.
func (v Viewer) Sees(ownerID int64, ownerAgency string) bool {
	if ownerID == 0 || (v.CounsellorID == 0 && !v.agencyWide) {
		return false
	}
	return ownerID == v.CounsellorID || (v.Admin && v.Agency != "" && ownerAgency == v.Agency)
}

// AgencyViewer is an agency's system (an API client): an administrator of
// the agency with no counsellor of its own, who sees what every
// counsellor of the agency follows or owns. Only this constructor makes
// one: a Viewer written with no counsellor sees nothing.
func AgencyViewer(agency string) Viewer { return Viewer{Agency: agency, Admin: true, agencyWide: true} }

// InboxOf lists, newest first, the inbox items the viewer sees: their
// own, or their agency's for an administrator.
func (s *Service) InboxOf(ctx context.Context, v Viewer, limit int) ([]InboxItem, error) {
	if v.Admin {
		return s.store.AgencyInbox(ctx, v.Agency, limit)
	}
	return s.store.Inbox(ctx, v.CounsellorID, limit)
}

// InboxStreams lists the counsellors whose live inbox events the viewer
// receives: theirs, or their agency's for an administrator.
func (s *Service) InboxStreams(ctx context.Context, v Viewer) ([]int64, error) {
	if !v.Admin {
		return []int64{v.CounsellorID}, nil
	}
	return s.store.AgencyCounsellors(ctx, v.Agency)
}

// OfferFor loads an offer the viewer sees; ErrNotFound otherwise, as if it
// did not exist.
func (s *Service) OfferFor(ctx context.Context, v Viewer, offerID int64) (Offer, error) {
	return s.seenOffer(ctx, v, offerID)
}
