// The iOS shell of the app Omnibus: one WKWebView on the portal, started at the comune finder
// (https://<OmnibusHost>/?source=app). The portal remembers the comune (localStorage and a cookie in the
// default, persistent website data store) and opens it directly; universal links (the site's
// apple-app-site-association) open their page here. Pages of other hosts (pagoPA Checkout, the SPID/CIE
// gateway) load in the same view, so that their return URLs come back to the portal; links meant for a
// new window, mailto:, tel: and the stores open outside.
import SwiftUI
import WebKit

@main
struct OmnibusApp: App {
    @StateObject private var browser = Browser()

    var body: some Scene {
        WindowGroup {
            WebView(browser: browser)
                .ignoresSafeArea(edges: .bottom)
                .onOpenURL { url in browser.open(url) }
                .onContinueUserActivity(NSUserActivityTypeBrowsingWeb) { activity in
                    if let url = activity.webpageURL { browser.open(url) }
                }
        }
    }
}

final class Browser: NSObject, ObservableObject, WKNavigationDelegate, WKUIDelegate {
    let host: String = Bundle.main.object(forInfoDictionaryKey: "OmnibusHost") as? String ?? ""
    lazy var webView: WKWebView = {
        let configuration = WKWebViewConfiguration()
        configuration.websiteDataStore = .default()
        let view = WKWebView(frame: .zero, configuration: configuration)
        view.allowsBackForwardNavigationGestures = true
        view.navigationDelegate = self
        view.uiDelegate = self
        view.load(URLRequest(url: URL(string: "https://\(host)/?source=app")!))
        return view
    }()

    /// A universal link or an opened URL: only the portal's own pages are loaded here.
    func open(_ url: URL) {
        guard url.scheme == "https", url.host == host else { return }
        webView.load(URLRequest(url: url))
    }

    func webView(_ webView: WKWebView, decidePolicyFor navigationAction: WKNavigationAction,
                 decisionHandler: @escaping (WKNavigationActionPolicy) -> Void) {
        guard let url = navigationAction.request.url else { return decisionHandler(.cancel) }
        if url.scheme == "https" || url.scheme == "about" {
            return decisionHandler(.allow)
        }
        UIApplication.shared.open(url)  // mailto:, tel:, itms-apps:, maps
        decisionHandler(.cancel)
    }

    /// target="_blank" (a PDF avviso, the comune's web site): Safari.
    func webView(_ webView: WKWebView, createWebViewWith configuration: WKWebViewConfiguration,
                 for navigationAction: WKNavigationAction, windowFeatures: WKWindowFeatures) -> WKWebView? {
        if let url = navigationAction.request.url { UIApplication.shared.open(url) }
        return nil
    }

    func webView(_ webView: WKWebView, didFailProvisionalNavigation navigation: WKNavigation!, withError error: Error) {
        // A navigation replaced by another one, or handed to another app, is not being offline.
        let code = (error as NSError).code
        if code == NSURLErrorCancelled || code == 102 /* WebKitErrorFrameLoadInterruptedByPolicyChange */ { return }
        let html = """
        <html lang="it"><meta name="viewport" content="width=device-width,initial-scale=1">
        <body style="font-family:-apple-system;padding:2rem"><h1>Sei offline</h1>
        <p>Omnibus ha bisogno della connessione. Riprova quando sei di nuovo in linea.</p>
        <p><a href="https://\(host)/?source=app">Riprova</a></p></body></html>
        """
        webView.loadHTMLString(html, baseURL: nil)
    }
}

struct WebView: UIViewRepresentable {
    let browser: Browser
    func makeUIView(context: Context) -> WKWebView { browser.webView }
    func updateUIView(_ uiView: WKWebView, context: Context) {}
}
