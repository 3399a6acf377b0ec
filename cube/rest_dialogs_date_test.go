package cube

import (
	"context"
	"net/http"
	"testing"
	"time"
)

func TestListDialogsCarriesTheServersClock(t *testing.T) {
	at := time.Date(2026, 12, 6, 20, 0, 7, 0, time.UTC)
	c, _ := handlerServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", at.Format(http.TimeFormat))
		w.Write([]byte(`{"total_entries":0,"skip":0,"limit":100,"items":[]}`))
	})
	list, err := c.ListDialogs(context.Background(), DialogFilter{})
	if err != nil || !list.ServerTime.Equal(at) {
		t.Fatalf("ServerTime %v, %v; want %v", list.ServerTime, err, at)
	}
}
