import Hummingbird
import NIOCore

extension API {
    /// `GET /openapi.json`: the document that describes every route here, served as compiled
    /// in, byte for byte the repository's `openapi.json`. Open like `/healthz`: no credential,
    /// no `Accept` needed, served while the server starts.
    func addOpenAPIRoute(to router: some RouterMethods<some RequestContext>) {
        let document = ByteBuffer(string: OpenAPIDocument.json)
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: document))
        }
    }
}
