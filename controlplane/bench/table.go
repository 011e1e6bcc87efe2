package bench

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteTable prints the report for people, one section per measurement.
func (r *Report) WriteTable(out io.Writer) error {
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	m := r.Machine
	fmt.Fprintf(w, "machine: %s, %d cores, %s, %s (quick=%v)\n\n", m.CPU, m.Cores, m.GoVersion, m.OS, r.Quick)
	if len(r.Translation) > 0 {
		fmt.Fprintln(w, "translation (resources -> IR -> xDS)\troutes\tms/op\tgateway-api ms\txds ms\tallocs/op\tMiB alloc/op\tpeak heap MiB\tinput heap MiB")
		for _, t := range r.Translation {
			fmt.Fprintf(w, "\t%d\t%.1f\t%.1f\t%.1f\t%d\t%.1f\t%.1f\t%.1f\n", t.Routes, t.TotalMs, t.GatewayAPIMs, t.XdsMs, t.AllocsPerOp, t.MiBPerOp, t.PeakHeapMiB, t.InputHeapMiB)
		}
		fmt.Fprintln(w)
	}
	if p := r.Process; p != nil {
		fmt.Fprintln(w, "translate -f (process)\troutes\twall ms\tuser ms\tsys ms\tmax RSS MiB\toutput MiB")
		fmt.Fprintf(w, "\t%d\t%.0f\t%.0f\t%.0f\t%.1f\t%.1f\n\n", p.Routes, p.WallMs, p.UserMs, p.SysMs, p.MaxRSSMiB, p.OutputMiB)
	}
	if i := r.Incremental; i != nil {
		fmt.Fprintln(w, "one-route change -> snapshot set\troutes\tchanges\tp50 ms\tp99 ms\tmax ms\tinitial load ms")
		fmt.Fprintf(w, "\t%d\t%d\t%.1f\t%.1f\t%.1f\t%.1f\n\n", i.Routes, i.Changes, i.Latency.P50ms, i.Latency.P99ms, i.Latency.MaxMs, i.InitialMs)
	}
	if f := r.Fanout; f != nil {
		fmt.Fprintln(w, "xDS fan-out: change -> all ACKed\troutes\tstreams\tchanges\tp50 ms\tp99 ms\tinitial sync ms\twarm-up ms\tCP RSS MiB\tCP peak RSS MiB\tCP heap MiB")
		fmt.Fprintf(w, "\t%d\t%d\t%d\t%.1f\t%.1f\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\n\n", f.Routes, f.Streams, f.AllAcked.N, f.AllAcked.P50ms, f.AllAcked.P99ms,
			f.InitialSyncMs, f.WarmUpMs, f.ControlPlaneRSSMiB, f.ControlPlanePeakRSSMiB, f.ControlPlaneHeapMiB)
	}
	if len(r.ConfigServer) > 0 {
		fmt.Fprintln(w, "Config Server durable PUTs\tclients\twrites\tPUTs/s\tp50 ms\tp99 ms\tCPU ms/PUT")
		for _, c := range r.ConfigServer {
			fmt.Fprintf(w, "\t%d\t%d\t%.1f\t%.1f\t%.1f\t%.2f\n", c.Clients, c.Writes, c.PerSecond, c.Latency.P50ms, c.Latency.P99ms, c.CPUMsPerWrite)
		}
		fmt.Fprintln(w)
	}
	if len(r.Startup) > 0 {
		fmt.Fprintln(w, "start-up -> proxy synced\troutes\tsource\tms")
		for _, s := range r.Startup {
			fmt.Fprintf(w, "\t%d\t%s\t%.0f\n", s.Routes, s.Source, s.Ms)
		}
		fmt.Fprintln(w)
	}
	for _, e := range r.Errors {
		fmt.Fprintf(w, "FAILED: %s\n", e)
	}
	return w.Flush()
}
