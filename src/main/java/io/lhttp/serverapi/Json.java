package io.lhttp.serverapi;

import io.lhttp.processor.ServerApi;
import java.util.List;
import java.util.Map;

/** The server API's HTTP answers as JSON (described in the served /openapi from ServerApiResource's annotations): small, flat, written by hand. */
final class Json {

    private Json() {}

    static String string(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    static String outcome(ServerApi.Outcome o) {
        StringBuilder b =
                new StringBuilder("{\"connections\":").append(o.connections()).append(",\"instances\":[");
        String sep = "";
        for (ServerApi.InstanceOutcome i : o.instances()) {
            b.append(sep)
                    .append("{\"instance\":")
                    .append(string(i.instance()))
                    .append(",\"connections\":")
                    .append(i.connections())
                    .append(",\"refused\":")
                    .append(i.refused())
                    .append('}');
            sep = ",";
        }
        return b.append("]}").toString();
    }

    static String presence(ServerApi.Presence p) {
        StringBuilder b =
                new StringBuilder("{\"channel\":").append(string(p.channel())).append(",\"members\":[");
        String sep = "";
        for (String m : p.members()) {
            b.append(sep).append(string(m));
            sep = ",";
        }
        return b.append("],\"truncated\":").append(p.truncated()).append('}').toString();
    }

    static String history(ServerApi.History h) {
        StringBuilder b =
                new StringBuilder("{\"channel\":").append(string(h.channel())).append(",\"top\":");
        b.append(h.top() == null ? "null" : string(h.top()));
        b.append(",\"complete\":").append(h.complete()).append(",\"messages\":[");
        String sep = "";
        for (ServerApi.HistoryMessage m : h.messages()) {
            b.append(sep)
                    .append("{\"position\":")
                    .append(string(m.position()))
                    .append(",\"frame\":")
                    .append(string(m.frame()))
                    .append('}');
            sep = ",";
        }
        return b.append("]}").toString();
    }

    static String channels(List<ServerApi.InstanceChannels> all) {
        StringBuilder b = new StringBuilder("{\"instances\":[");
        String sep = "";
        for (ServerApi.InstanceChannels i : all) {
            b.append(sep).append("{\"instance\":").append(string(i.instance())).append(",\"channels\":{");
            String s2 = "";
            for (Map.Entry<String, Integer> e : i.channels().entrySet()) {
                b.append(s2).append(string(e.getKey())).append(':').append(e.getValue());
                s2 = ",";
            }
            b.append("},\"truncated\":").append(i.truncated()).append('}');
            sep = ",";
        }
        return b.append("]}").toString();
    }

    static String info(List<ServerApi.InstanceInfo> all) {
        StringBuilder b = new StringBuilder("{\"instances\":[");
        String sep = "";
        for (ServerApi.InstanceInfo i : all) {
            b.append(sep)
                    .append("{\"instance\":")
                    .append(string(i.instance()))
                    .append(",\"connections\":")
                    .append(i.connections())
                    .append(",\"channels\":")
                    .append(i.channels())
                    .append(",\"subscriptions\":")
                    .append(i.subscriptions())
                    .append('}');
            sep = ",";
        }
        return b.append("]}").toString();
    }
}
