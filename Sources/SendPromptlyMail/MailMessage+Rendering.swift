extension MailMessage {
    /// The message as RFC 5322 text with CRLF line endings, ready for DATA before
    /// dot-stuffing:
    ///
    /// - headers `Date`, `Message-ID`, `From`, `To`, `Subject`, `MIME-Version`, the custom
    ///   headers in order, and `Content-Type: multipart/alternative`;
    /// - a `text/plain` and then a `text/html` part, both UTF-8 and quoted-printable.
    ///
    /// Subject, display names and custom header values that are not plain ASCII are RFC 2047
    /// encoded words. The result is 7-bit ASCII and no line is longer than 998 octets.
    public func rendered() -> String {
        var lines = [
            "Date: " + MIMEEncoding.date(date),
            "Message-ID: <\(messageID)>",
            "From: " + MIMEEncoding.mailbox(from),
            "To: " + to.map(MIMEEncoding.mailbox).joined(separator: ",\r\n "),
            "Subject: " + MIMEEncoding.unstructuredValue(subject, name: "Subject"),
            "MIME-Version: 1.0",
        ]
        lines += headers.map { "\($0.name): " + MIMEEncoding.unstructuredValue($0.value, name: $0.name) }
        lines += [
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
            "",
        ]
        for (type, body) in [("text/plain", textBody), ("text/html", htmlBody)] {
            lines += [
                "--" + boundary,
                "Content-Type: \(type); charset=utf-8",
                "Content-Transfer-Encoding: quoted-printable",
                "",
                MIMEEncoding.quotedPrintable(body),
            ]
        }
        lines.append("--" + boundary + "--")
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
