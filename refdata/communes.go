package refdata

import (
	"fmt"
	"strconv"
	"strings"
)

// Commune is a French commune (type COM) or a municipal arrondissement of
// Paris, Lyon or Marseille (type ARM), following the 2026 Code officiel
// géographique.
type Commune struct {
	INSEE          string // INSEE code, e.g. 69123
	Name           string
	Type           string // COM or ARM
	PostalCode     string // the first postal code; empty for a few uninhabited territories
	Department     string // department code, e.g. 69 or 2A
	DepartmentName string
	RegionName     string
	Population     int // INSEE population légale; 0 when unknown
	Lat, Lon       float64
	HasCoordinates bool     // false for the 67 communes without a known point
	FormerINSEE    []string // codes of communes merged into this one
}

var communeHeader = []string{
	"insee", "name", "type", "postal_code", "lat", "lon", "population",
	"department", "department_name", "region_name", "former_insee",
}

// Communes returns every French commune plus the arrondissements of Paris,
// Lyon and Marseille, sorted by INSEE code.
func Communes() ([]Commune, error) {
	out := make([]Commune, 0, 35014)
	err := readCSV("fr_communes.csv.gz", communeHeader, func(rec []string) error {
		c, err := parseCommune(rec)
		if err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("communes: %w", err)
	}
	return out, nil
}

func parseCommune(rec []string) (Commune, error) {
	c := Commune{
		INSEE:          rec[0],
		Name:           rec[1],
		Type:           rec[2],
		PostalCode:     rec[3],
		Department:     rec[7],
		DepartmentName: rec[8],
		RegionName:     rec[9],
	}
	if rec[4] != "" || rec[5] != "" {
		lat, err := strconv.ParseFloat(rec[4], 64)
		if err != nil {
			return Commune{}, fmt.Errorf("lat: %w", err)
		}
		lon, err := strconv.ParseFloat(rec[5], 64)
		if err != nil {
			return Commune{}, fmt.Errorf("lon: %w", err)
		}
		c.Lat, c.Lon, c.HasCoordinates = lat, lon, true
	}
	pop, err := atoi("population", rec[6])
	if err != nil {
		return Commune{}, err
	}
	c.Population = pop
	if rec[10] != "" {
		c.FormerINSEE = strings.Split(rec[10], "|")
	}
	return c, nil
}
