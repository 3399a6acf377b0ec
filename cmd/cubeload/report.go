package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// Print writes the report as readable tables.
func (r *Report) Print(w io.Writer) {
	o := r.Options
	where := "in-process cubeserver (loopback)"
	if !r.InProcess {
		where = "cubeserver at " + o.APIURL + " / " + o.XMPPAddr
	}
	transport := "direct TLS"
	if o.Transport == cube.ChatStartTLS {
		transport = "STARTTLS"
	}
	groups := "no groups"
	if o.Groups > 0 {
		groups = fmt.Sprintf("%d groups of %d, %.0f%% of messages", o.Groups, o.GroupSize, o.GroupShare*100)
	}
	rate := "as fast as possible"
	if o.Rate > 0 {
		rate = fmt.Sprintf("%g/s", o.Rate)
	}
	markers := "off"
	if o.Markers {
		markers = "on"
	}
	fmt.Fprintf(w, "cubeload: %s, %s, %d users (%d private pairs, %s), delivered markers %s\n",
		where, transport, o.Users, o.Users/2, groups, markers)
	fmt.Fprintf(w, "offered %d messages at %s through %d senders\n\n", o.Messages, rate, o.Senders)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "latency send→receive\tn\tmean\tp50\tp90\tp99\tmax\t")
	latencyRow(tw, "1-1", r.Deliveries.Private)
	latencyRow(tw, "group, each recipient", r.Deliveries.Fanout)
	latencyRow(tw, "group, last recipient", r.Deliveries.FanoutComplete)
	tw.Flush()
	fmt.Fprintln(w)

	notStored, notDelivered := r.Lost()
	kv := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(kv, "setup (users, sessions, dialogs, history)\t%s\n", seconds(r.Setup))
	fmt.Fprintf(kv, "chat logins\t%d in %s (%s logins/s)\n", o.Users, seconds(r.Connect), perSecond(o.Users, r.Connect))
	truncated := ""
	if r.Truncated {
		truncated = "  (stopped early: -duration ran out)"
	}
	fmt.Fprintf(kv, "sent\t%d in %s (%s msgs/s)%s\n", r.Sent, seconds(r.SendTime), perSecond(r.Sent, r.SendTime), truncated)
	fmt.Fprintf(kv, "delivered\t%d of %d in %s (%s deliveries/s)\n", r.Deliveries.Delivered, r.Deliveries.Expected,
		seconds(r.DeliverTime), perSecond(r.Deliveries.Delivered, r.DeliverTime))
	span := max(r.SendTime, r.DeliverTime)
	fmt.Fprintf(kv, "stored (counted over REST)\t%d of %d (%s msgs/s, first send to last delivery)\n", r.Stored, r.Sent, perSecond(r.Stored, span))
	fmt.Fprintf(kv, "missing at the end\t%d not stored, %d not delivered, %d send errors, %d bounced, %d duplicates, %d strays, %d connections lost\n",
		notStored, notDelivered, r.SendErrors, r.MessageErrors, r.Deliveries.Duplicates, r.Deliveries.Strays, r.Drops)
	if c := r.CatchUp; c != nil {
		fmt.Fprintf(kv, "catch-up, fresh client over REST\t%d messages in %d pages: login %s, first page %s, all pages %s (%s msgs/s)\n",
			c.Messages, c.Pages, millis(c.Login), millis(c.FirstPage), seconds(c.Fetch), perSecond(c.Messages, c.Fetch))
	}
	if m := r.Memory; m.Measured {
		whose := "server RSS"
		if m.WholeProcess {
			whose = "RSS (server and clients share this process)"
		}
		fmt.Fprintf(kv, "%s\tstart %s, connected %s, peak %s, end %s; growth %+.1f MiB\n", whose,
			mib(m.Start), mib(m.Connected), mib(m.Peak), mib(m.End), float64(m.End-m.Start)/(1<<20))
	} else {
		fmt.Fprintf(kv, "server RSS\tnot measured (give -server-pid for an external server)\n")
	}
	kv.Flush()
}

func latencyRow(w io.Writer, name string, s Summary) {
	if s.N == 0 {
		fmt.Fprintf(w, "%s\t0\t-\t-\t-\t-\t-\t\n", name)
		return
	}
	fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t\n", name, s.N, millis(s.Mean), millis(s.P50), millis(s.P90), millis(s.P99), millis(s.Max))
}

func millis(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// perSecond formats n/d, or "-" when d is zero.
func perSecond(n int, d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f", float64(n)/d.Seconds())
}
