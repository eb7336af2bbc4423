//! A [`Route`] read from a GPX file (with the `gpx` crate): the points of
//! its first track (every segment, in order), or else of its first route.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use super::geo::Point;
use super::route::{Route, RouteError};

/// Altitude of a point that has no elevation, metres.
const NO_ELEVATION: f64 = 0.0;

impl Route {
    /// The route of the GPX file at `path`: its first track's points, or
    /// when it has no track, its first route's (`<rte>`).
    ///
    /// # Errors
    /// [`RouteError`]: the file cannot be read, is not GPX, or holds fewer
    /// than two distinct positions.
    ///
    /// # Examples
    /// ```no_run
    /// let route = kismet_sim::Route::from_gpx("drive.gpx".as_ref())?;
    /// println!("{:.0} m", route.length_m());
    /// # Ok::<(), kismet_sim::RouteError>(())
    /// ```
    pub fn from_gpx(path: &Path) -> Result<Route, RouteError> {
        let file = File::open(path).map_err(|source| RouteError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Route::read_gpx(BufReader::new(file)).map_err(|e| e.in_file(path))
    }

    /// The route of a GPX document read from `reader` (as
    /// [`Route::from_gpx`]).
    ///
    /// # Errors
    /// [`RouteError::NotGpx`], [`RouteError::TooShort`].
    pub fn read_gpx(reader: impl Read) -> Result<Route, RouteError> {
        let doc = gpx::read(reader).map_err(|source| RouteError::NotGpx { path: None, source })?;
        let track = doc
            .tracks
            .iter()
            .map(|t| {
                t.segments
                    .iter()
                    .flat_map(|s| &s.points)
                    .collect::<Vec<_>>()
            })
            .find(|points| !points.is_empty());
        let points = match track {
            Some(points) => points,
            None => doc
                .routes
                .iter()
                .map(|r| r.points.iter().collect::<Vec<_>>())
                .find(|points| !points.is_empty())
                .unwrap_or_default(),
        };
        let points = points
            .into_iter()
            .map(|w| {
                let p = w.point();
                Point::new(p.y(), p.x(), w.elevation.unwrap_or(NO_ELEVATION))
            })
            .collect();
        Route::new(points)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRACK: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
  <trk><name>drive</name>
    <trkseg>
      <trkpt lat="37.7691" lon="-122.4220"><ele>15</ele></trkpt>
      <trkpt lat="37.7691" lon="-122.4164"><ele>12</ele></trkpt>
    </trkseg>
    <trkseg>
      <trkpt lat="37.7709" lon="-122.4164"/>
    </trkseg>
  </trk>
</gpx>"#;

    /// A track's segments are joined in order, with their elevations (0
    /// where a point has none); an open track is not a loop.
    #[test]
    fn reads_a_track() {
        let r = Route::read_gpx(TRACK.as_bytes()).unwrap();
        assert_eq!(r.points().len(), 3);
        assert_eq!(r.points()[0], Point::new(37.7691, -122.4220, 15.0));
        assert_eq!(r.points()[2], Point::new(37.7709, -122.4164, 0.0));
        assert!(!r.is_loop());
    }

    /// A file with no track is read from its first route (`<rte>`).
    #[test]
    fn reads_a_route_when_there_is_no_track() {
        let doc = r#"<gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">
  <rte><rtept lat="37.0" lon="-122.0"/><rtept lat="37.001" lon="-122.0"/></rte></gpx>"#;
        let r = Route::read_gpx(doc.as_bytes()).unwrap();
        assert!((r.length_m() - 111.2).abs() < 0.5, "{}", r.length_m());
    }

    /// Text that is not GPX, an empty file and another XML document are
    /// refused as not GPX; GPX with one point or none, as too short.
    #[test]
    fn refuses_what_is_not_a_route() {
        for bad in [
            "hello, world\n",
            "",
            "<kml><Document/></kml>",
            "{\"type\": 1}",
        ] {
            let e = Route::read_gpx(bad.as_bytes()).unwrap_err();
            assert!(matches!(e, RouteError::NotGpx { .. }), "{bad:?}: {e:?}");
            assert!(e.to_string().starts_with("not a GPX file: "), "{e}");
        }
        let one = r#"<gpx version="1.1" creator="t"><trk><trkseg>
  <trkpt lat="37.0" lon="-122.0"/><trkpt lat="37.0" lon="-122.0"/></trkseg></trk></gpx>"#;
        let e = Route::read_gpx(one.as_bytes()).unwrap_err();
        assert!(matches!(e, RouteError::TooShort { points: 1, .. }), "{e:?}");
        let none = r#"<gpx version="1.1" creator="t"></gpx>"#;
        let e = Route::read_gpx(none.as_bytes()).unwrap_err();
        assert!(matches!(e, RouteError::TooShort { points: 0, .. }), "{e:?}");
    }
}
