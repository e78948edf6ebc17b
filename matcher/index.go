package matcher

import (
	"hash/maphash"
	"math"
	"slices"
	"strings"
	"sync"
)

// Index keeps, in memory, what bounds a candidate's score for any offer:
// occupations, place, mobility, contracts and a signature of their skills.
// It answers "who could score best for this offer" in a few milliseconds
// over millions of job seekers, without touching the database; the caller
// then checks the best few against the database and ranks them exactly
// with Rank (see Search). So the index never decides alone: it may propose
// someone no longer eligible (the check drops them), and it never
// underestimates a score, so nobody who belongs in a shortlist is missed.
//
// About 30 bytes per job seeker: 16 for what a search reads, 8 for the
// ID, 4 per occupation in the posting lists. 5.5 million (6 million, less
// those without consent) take 175 MB. Safe for concurrent use.
type Index struct {
	mu sync.RWMutex

	// Per slot (one per job seeker ever put), in parallel arrays. Slots are
	// never reused; a removed job seeker's slot is marked dead.
	ids   []int64
	slots []slotData // what a search reads, one cache line for four
	dead  []uint64   // bit set of removed slots
	// bit set of the slots whose base postings are current; the others
	// (changed since the last Compact) are in the postings' added lists.
	inBase []uint64

	// Slots by ID: ids is sorted while IDs arrive in increasing order, as
	// they do from a sequence; the others are in late.
	sortedUpTo int
	late       map[int64]int32

	codeNumber map[string]uint16 // ROME code -> occupation number
	postings   []postingList     // by occupation number
	contract   map[string]uint8  // contract code -> bit; bit 7: any other code
	live       int
	added      int      // entries in the added lists
	scratch    []uint16 // occupation numbers of the slot being put
}

// IndexEntry is a job seeker as the index sees them.
type IndexEntry struct {
	ID            int64
	ROMECodes     []string
	Location      Point
	MobilityKM    float64
	ContractTypes []string
	Skills        []string
}

// slotData is what bounding a job seeker's score reads, packed in 16
// bytes.
type slotData struct {
	lat, lon  float32
	skills    uint32 // signature of the skills (see skillMask)
	mobility  uint8  // km, rounded up, 255 = unlimited; 0: the offer's radius
	contracts uint8  // bit set of contracts accepted (see contractBit); 0: any
}

// postingList lists the slots of one occupation by grid cell: a base,
// built in one pass by Compact, sorted by cell, and the slots put since,
// scanned whole. Both are plain int32 arrays: nothing for the garbage
// collector to scan, nothing spent on per-cell slice headers.
type postingList struct {
	cells  []int32 // distinct cells of the base, sorted
	starts []int32 // the base slots of cells[i] are slots[starts[i]:starts[i+1]]
	slots  []int32
	added  []int32 // slots posted since the base was built
}

// rebuildShare: Compact runs again once the slots put since the last
// build reach this share of the index (or 4,096), so that searches do not
// scan long added lists.
const rebuildShare = 64

// Grid cells are 0.25 degree of latitude (27.8 km) by 0.35 degree of
// longitude (about 27 km in mainland France): a 50 km radius covers
// about 25 cells.
const (
	cellLat = 0.25
	cellLon = 0.35
)

// Slack of the bounds: the index keeps coordinates as float32 (a metre or
// so), so it measures distances 10 m shorter than it finds them.
const (
	distanceSlackKM = 0.01
	otherContract   = 1 << 7
	unlimitedKM     = math.MaxUint8
)

func cellOf(lat, lon float64) int32 {
	return cellAt(int32(math.Floor(lat/cellLat)), int32(math.Floor(lon/cellLon)))
}

func cellAt(row, col int32) int32 { return (row+1024)<<11 | (col + 1024) }

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{
		late:       make(map[int64]int32),
		codeNumber: make(map[string]uint16),
		contract:   make(map[string]uint8),
	}
}

// Len returns the number of job seekers in the index.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.live
}

// Put adds a job seeker or replaces what the index knows of them.
func (ix *Index) Put(e IndexEntry) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.put(e)
}

// Remove forgets a job seeker, if the index has them.
func (ix *Index) Remove(id int64) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if slot, ok := ix.slotOf(id); ok {
		ix.unpost(slot)
	}
}

// Apply puts and removes many job seekers under one lock: the catch-up of
// a batch of changes.
func (ix *Index) Apply(put []IndexEntry, remove []int64) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for _, e := range put {
		ix.put(e)
	}
	for _, id := range remove {
		if slot, ok := ix.slotOf(id); ok {
			ix.unpost(slot)
		}
	}
	if ix.added >= max(4096, ix.live/rebuildShare) {
		ix.compact()
	}
}

// Compact rebuilds the posting lists' bases from every live slot, sorted
// by cell, and empties their added lists: after a load, and again when
// many job seekers changed. One occupation at a time, so that the extra
// memory is that of the largest occupation.
func (ix *Index) Compact() {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.compact()
}

func (ix *Index) compact() {
	var pairs []uint64 // cell << 32 | slot, reused from one occupation to the next
	for num := range ix.postings {
		pl := &ix.postings[num]
		pairs = pairs[:0]
		for i, cell := range pl.cells {
			for _, slot := range pl.slots[pl.starts[i]:pl.starts[i+1]] {
				if bit(ix.inBase, slot) {
					pairs = append(pairs, uint64(uint32(cell))<<32|uint64(uint32(slot)))
				}
			}
		}
		for _, slot := range pl.added {
			pairs = append(pairs, uint64(uint32(ix.cellOfSlot(slot)))<<32|uint64(uint32(slot)))
		}
		slices.Sort(pairs)
		*pl = postingList{slots: make([]int32, len(pairs))}
		for i, p := range pairs {
			cell := int32(uint32(p >> 32))
			if len(pl.cells) == 0 || pl.cells[len(pl.cells)-1] != cell {
				pl.cells = append(pl.cells, cell)
				pl.starts = append(pl.starts, int32(i))
			}
			pl.slots[i] = int32(uint32(p))
		}
		pl.cells, pl.starts = slices.Clip(pl.cells), append(slices.Clip(pl.starts), int32(len(pairs)))
	}
	for slot := range int32(len(ix.ids)) {
		setBit(ix.inBase, slot, !bit(ix.dead, slot))
	}
	ix.added = 0
}

func (ix *Index) cellOfSlot(slot int32) int32 {
	return cellOf(float64(ix.slots[slot].lat), float64(ix.slots[slot].lon))
}

func (ix *Index) slotOf(id int64) (int32, bool) {
	if i, ok := slices.BinarySearch(ix.ids[:ix.sortedUpTo], id); ok {
		return int32(i), true
	}
	slot, ok := ix.late[id]
	return slot, ok
}

func (ix *Index) put(e IndexEntry) {
	slot, ok := ix.slotOf(e.ID)
	if ok {
		ix.unpost(slot)
	} else {
		slot = ix.newSlot(e.ID)
	}
	d := slotData{
		lat: float32(e.Location.Lat), lon: float32(e.Location.Lon),
		mobility: mobilityKM(e.MobilityKM), contracts: ix.contractMask(e.ContractTypes),
	}
	for _, s := range e.Skills {
		d.skills |= skillMask(NormalizeSkill(s))
	}
	ix.slots[slot] = d
	nums := ix.scratch[:0]
	for _, code := range e.ROMECodes {
		if num := ix.occupation(normalROME(code)); !slices.Contains(nums, num) {
			nums = append(nums, num)
		}
	}
	ix.scratch = nums
	setBit(ix.dead, slot, false)
	ix.live++
	for _, num := range nums {
		ix.postings[num].added = append(ix.postings[num].added, slot)
		ix.added++
	}
}

func (ix *Index) newSlot(id int64) int32 {
	slot := int32(len(ix.ids))
	if ix.sortedUpTo == len(ix.ids) && (len(ix.ids) == 0 || ix.ids[len(ix.ids)-1] < id) {
		ix.sortedUpTo++
	} else {
		ix.late[id] = slot
	}
	ix.ids = append(ix.ids, id)
	ix.slots = append(ix.slots, slotData{})
	if int(slot)/64 == len(ix.dead) {
		ix.dead, ix.inBase = append(ix.dead, 0), append(ix.inBase, 0)
	}
	setBit(ix.dead, slot, true)
	return slot
}

func bit(set []uint64, slot int32) bool { return set[slot/64]&(1<<(slot%64)) != 0 }

func setBit(set []uint64, slot int32, on bool) {
	if on {
		set[slot/64] |= 1 << (slot % 64)
	} else {
		set[slot/64] &^= 1 << (slot % 64)
	}
}

// Grow makes room for n more job seekers, so that loading millions does
// not leave the arrays with the spare capacity of repeated appends.
func (ix *Index) Grow(n int) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.ids = slices.Grow(ix.ids, n)
	ix.slots = slices.Grow(ix.slots, n)
	ix.dead, ix.inBase = slices.Grow(ix.dead, n/64+1), slices.Grow(ix.inBase, n/64+1)
}

// unpost takes a live slot out of its posting lists and marks it dead:
// its base entries go stale (searches skip them), its added ones go.
func (ix *Index) unpost(slot int32) {
	if bit(ix.dead, slot) {
		return
	}
	if bit(ix.inBase, slot) {
		setBit(ix.inBase, slot, false)
	} else {
		// The index does not keep a slot's codes (6 bytes each): look in
		// every added list, short since Compact bounds them.
		for num := range ix.postings {
			added := ix.postings[num].added
			if j := slices.Index(added, slot); j >= 0 {
				added[j] = added[len(added)-1]
				ix.postings[num].added = added[:len(added)-1]
				ix.added--
			}
		}
	}
	setBit(ix.dead, slot, true)
	ix.live--
}

func (ix *Index) occupation(code string) uint16 {
	num, ok := ix.codeNumber[code]
	if !ok {
		num = uint16(len(ix.postings))
		ix.codeNumber[code] = num
		ix.postings = append(ix.postings, postingList{})
	}
	return num
}

// mobilityKM rounds up, so that the index never finds a limit shorter
// than Rank does.
func mobilityKM(km float64) uint8 {
	switch {
	case !(km > 0):
		return 0
	case km >= unlimitedKM:
		return unlimitedKM
	default:
		return uint8(math.Ceil(km))
	}
}

// contractMask gives the first seven contract codes seen a bit each; the
// rarer ones share bit 7, which lets them through every contract filter.
func (ix *Index) contractMask(types []string) uint8 {
	var mask uint8
	for _, t := range types {
		mask |= ix.contractBit(t, true)
	}
	return mask
}

func (ix *Index) contractBit(t string, learn bool) uint8 {
	t = strings.ToUpper(strings.TrimSpace(t))
	if bit, ok := ix.contract[t]; ok {
		return bit
	}
	if !learn || len(ix.contract) >= 7 {
		return otherContract
	}
	bit := uint8(1) << len(ix.contract)
	ix.contract[t] = bit
	return bit
}

var skillSeed = maphash.MakeSeed()

// skillMask sets two of 32 bits for a normalised skill. A job seeker's
// signature ORs their skills' masks; a requested skill whose bits are all
// in it may be one they have (or a collision), one with a bit missing
// surely is not. So counting the former never undercounts.
func skillMask(normal string) uint32 {
	h := maphash.String(skillSeed, normal)
	return 1<<(h&31) | 1<<((h>>5)&31)
}
