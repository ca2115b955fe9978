package web

import (
	"encoding/json"
	"net/http"

	"github.com/lossplayground/playground/charts"
	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/web/templates"
)

// catalogThumbnail returns a loss's small catalog curve as ECharts option
// JSON (charts.Thumbnail). A card draws no curve when it fails.
var catalogThumbnail func(*engine.Spec) (json.RawMessage, error) = charts.Thumbnail

// catalogFamilies groups every registered loss by engine.Families order.
func catalogFamilies(lang string) ([]templates.CatalogFamily, int) {
	var fams []templates.CatalogFamily
	total := 0
	all := engine.All()
	for _, f := range engine.Families {
		fam := templates.CatalogFamily{Name: string(f), Label: f.Label(lang)}
		for _, s := range all {
			if s.Family != f {
				continue
			}
			card := templates.CatalogCard{Name: s.Name, Slug: s.Slug, Summary: s.SummaryIn(lang), Formula: texIn(s.Formula, lang)}
			if catalogThumbnail != nil {
				if opt, err := catalogThumbnail(s); err == nil && len(opt) > 0 {
					card.Thumbnail = string(opt)
				}
			}
			fam.Losses = append(fam.Losses, card)
			total++
		}
		if len(fam.Losses) > 0 {
			fams = append(fams, fam)
		}
	}
	return fams, total
}

// showCatalog renders / : every loss, grouped by family, with a filter.
func (a *App) showCatalog(w http.ResponseWriter, r *http.Request) error {
	lang := pageLang(r)
	fams, total := catalogFamilies(lang)
	meta := pageMeta(r, "", lang, "")
	meta.Script = entryCatalog
	a.renderPage(w, r, http.StatusOK, meta, templates.Catalog(lang, fams, total))
	return nil
}
